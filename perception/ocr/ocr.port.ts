import type { Word } from '../result.schema.ts';

/** What the pipeline needs from an OCR engine; the Tesseract adapter is the one implementation today. */
export interface OcrPort {
  /** Recognises one page image (PNG/JPEG bytes); boxes are in that image's pixel space. */
  recognize(image: Buffer, page: number, opts?: { signal?: AbortSignal }): Promise<OcrPage>;
  languages(): string[];
  close(): Promise<void>;
}

export interface OcrPage {
  words: Word[];
  /** Mean word confidence 0..1, or null when nothing was read. */
  confidence: number | null;
  text: string;
}
