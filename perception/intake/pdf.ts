import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { getDocument, Util, type PDFDocumentProxy, type PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { PerceptionError } from '../errors.ts';
import type { Word } from '../result.schema.ts';

const require = createRequire(import.meta.url);
const STANDARD_FONTS = join(dirname(require.resolve('pdfjs-dist/package.json')), 'standard_fonts') + '/';

/** Pages with fewer printable characters than this in their text layer are treated as scans and OCR'd. */
const MIN_TEXT_CHARS = 12;

export interface PdfPageContent {
  width: number;
  height: number;
  /** Words from the digital text layer, in the same pixel space a render at `scale` would have. */
  words: Word[];
  scale: number;
}

/**
 * Opens a PDF with pdfjs-dist and maps its failures onto operator-facing errors: a password → `encrypted`,
 * a broken structure → `corrupt`. The caller must `destroy()` the returned document.
 */
export async function openPdf(bytes: Buffer): Promise<PDFDocumentProxy> {
  const task = getDocument({
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    standardFontDataUrl: STANDARD_FONTS,
    verbosity: 0,
    stopAtErrors: false,
  });
  try {
    return await task.promise;
  } catch (e) {
    await task.destroy().catch(() => undefined);
    const name = (e as { name?: string }).name ?? '';
    if (name === 'PasswordException')
      throw new PerceptionError('encrypted', 'This PDF is password-protected. Remove the password (print to PDF) or send the password-free version.', { cause: e });
    throw new PerceptionError('corrupt', 'This PDF could not be opened: it looks damaged or incomplete. Download or export it again.', { cause: e });
  }
}

/** Scale so the page's long side is `maxSide` pixels (the OCR resolution), capped at 3× (216 dpi). */
export function pdfScale(page: PDFPageProxy, maxSide: number): number {
  const v = page.getViewport({ scale: 1 });
  return Math.min(3, maxSide / Math.max(v.width, v.height));
}

/** Reads the digital text layer as words with boxes; splits pdfjs text runs on spaces proportionally. */
export async function readTextLayer(page: PDFPageProxy, pageIndex: number, scale: number): Promise<PdfPageContent> {
  const viewport = page.getViewport({ scale });
  const content = await page.getTextContent();
  const words: Word[] = [];
  for (const item of content.items) {
    if (!('str' in item) || !item.str.trim()) continue;
    const tx = Util.transform(viewport.transform, item.transform);
    const fontH = Math.hypot(tx[2], tx[3]);
    const runW = item.width * scale;
    const perChar = item.str.length ? runW / item.str.length : 0;
    let offset = 0;
    for (const part of item.str.split(/(\s+)/)) {
      if (part.trim()) {
        words.push({
          text: part,
          confidence: 1,
          box: { page: pageIndex, x: tx[4] + offset * perChar, y: tx[5] - fontH * 0.8, w: part.length * perChar, h: fontH },
        });
      }
      offset += part.length;
    }
  }
  return { width: viewport.width, height: viewport.height, words, scale };
}

export function hasUsableText(c: PdfPageContent): boolean {
  let n = 0;
  for (const w of c.words) n += w.text.replace(/\s/g, '').length;
  return n >= MIN_TEXT_CHARS;
}

/** Renders a page to grey pixels at `scale` (for OCR of scans, or a small thumbnail for the ViT). */
export async function renderPage(page: PDFPageProxy, scale: number): Promise<{ width: number; height: number; grey: Buffer }> {
  const viewport = page.getViewport({ scale });
  const width = Math.max(1, Math.round(viewport.width));
  const height = Math.max(1, Math.round(viewport.height));
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  await page.render({ canvasContext: ctx as never, canvas: canvas as never, viewport }).promise;
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const grey = Buffer.alloc(width * height);
  for (let i = 0, j = 0; j < grey.length; i += 4, j++) grey[j] = (rgba[i] * 77 + rgba[i + 1] * 150 + rgba[i + 2] * 29) >> 8;
  page.cleanup();
  return { width, height, grey };
}
