import type { Word } from '../result.schema.ts';

/** What the pipeline needs from an OCR engine; the Tesseract adapter is the one implementation today. */
export interface OcrPort {
  /** Recognises one page image (PNG/JPEG bytes); boxes are in that image's pixel space. */
  /**
   * `mode: 'sparse'` finds scattered text without page layout analysis: slower on clean pages, but it keeps
   * columns of amounts that layout analysis drops on skewed or shadowed photos.
   */
  recognize(image: Buffer, page: number, opts?: { signal?: AbortSignal; mode?: 'layout' | 'sparse' }): Promise<OcrPage>;
  languages(): string[];
  close(): Promise<void>;
}

export interface OcrPage {
  words: Word[];
  /** Mean word confidence 0..1, or null when nothing was read. */
  confidence: number | null;
  text: string;
}
