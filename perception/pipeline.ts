import type { PerceptionConfig } from './config.ts';
import { PerceptionError } from './errors.ts';
import { imagePageCount, normaliseImagePage, rasterFromGrey, type RasterPage } from './intake/image.ts';
import { hasUsableText, openPdf, pdfScale, readTextLayer, renderPage } from './intake/pdf.ts';
import { readInput, type PerceiveInput } from './intake/read-input.ts';
import { deskewPage } from './intake/deskew.ts';
import { flattenIllumination } from './intake/illumination.ts';
import { findPageQuad, rectify } from './intake/rectify.ts';
import { sniffType } from './intake/sniff.ts';
import sharp from 'sharp';
import type { OcrPage, OcrPort } from './ocr/ocr.port.ts';
import type { PerceptionResult, Word } from './result.schema.ts';
import { decideDocType } from './semantic/doc-type.ts';
import { extractInvoiceFields } from './semantic/fields.ts';
import { analyseScreenshot } from './semantic/screenshot.ts';
import { findLabels } from './semantic/labels.ts';
import { findCurrencies } from './semantic/currency.ts';
import { norm } from './semantic/normalize.ts';
import { contentAspect, isMonospace, wordsToText } from './semantic/page-shape.ts';
import { lowConfidenceOf } from './semantic/low-confidence.ts';
import type { DocClassifier, VisualResult } from './vit/classifier.port.ts';

export interface PerceiveOptions {
  onProgress?(p: { stage: string; page?: number; pages?: number }): void;
  signal?: AbortSignal;
}

export interface PipelineDeps {
  config: PerceptionConfig;
  ocr: OcrPort;
  classifier: () => Promise<DocClassifier>;
  backend: () => string;
}

interface PageWork {
  index: number;
  width: number;
  height: number;
  words: Word[];
  textSource: 'pdf_text' | 'ocr' | 'none';
  ocrConfidence: number | null;
  raster: RasterPage | null;
}

/**
 * One document through intake → ViT → OCR → semantic layer. Pages are handled one at a time and their pixels
 * dropped after OCR, so memory stays bounded by one page; the time budget is checked between pages.
 */
export function createPipeline(deps: PipelineDeps) {
  const cfg = deps.config;
  return async function perceive(input: PerceiveInput, opts: PerceiveOptions = {}): Promise<PerceptionResult> {
    const t0 = performance.now();
    const deadline = t0 + cfg.timeBudgetMs;
    const progress = (stage: string, page?: number, pages?: number): void => opts.onProgress?.({ stage, page, pages });
    const checkAbort = (): void => {
      if (opts.signal?.aborted) throw new PerceptionError('aborted', 'Reading the document was cancelled.');
    };
    const warnings: string[] = [];
    progress('intake');
    const bytes = await readInput(input, cfg.maxBytes);
    const type = sniffType(bytes);
    const pages: PageWork[] = [];
    let totalPages = 0;
    let vitRaster: RasterPage | null = null;
    const timing = { intakeMs: 0, vitMs: 0, ocrMs: 0, semanticMs: 0 };

    const limitPages = (n: number): number => {
      if (n <= cfg.maxPages) return n;
      if (cfg.pageOverflow === 'error')
        throw new PerceptionError('too_many_pages', `The document has ${n} pages; I read at most ${cfg.maxPages}. Send only the pages that matter (e.g. the invoice pages).`, { details: { pages: n, maxPages: cfg.maxPages } });
      warnings.push(`Only the first ${cfg.maxPages} of ${n} pages were read.`);
      return cfg.maxPages;
    };
    const outOfTime = (i: number): boolean => {
      if (performance.now() <= deadline) return false;
      if (i === 0) throw new PerceptionError('timeout', 'Reading this document took too long. Try a smaller or clearer file.');
      warnings.push(`Stopped after ${i} pages: the time budget of ${Math.round(cfg.timeBudgetMs / 1000)} s ran out.`);
      return true;
    };

    if (type.kind === 'image') {
      const limits = { maxInputPixels: cfg.maxInputPixels, maxSide: cfg.maxSide, maxPages: cfg.maxPages };
      totalPages = await imagePageCount(bytes, limits);
      const n = limitPages(totalPages);
      for (let i = 0; i < n; i++) {
        checkAbort();
        if (outOfTime(i)) break;
        const raster = await normaliseImagePage(bytes, i, limits);
        pages.push({ index: i, width: raster.width, height: raster.height, words: [], textSource: 'none', ocrConfidence: null, raster });
      }
      vitRaster = pages[0]?.raster ?? null;
    } else {
      const doc = await openPdf(bytes);
      try {
        totalPages = doc.numPages;
        if (totalPages === 0) throw new PerceptionError('empty', 'This PDF has no pages.');
        const n = limitPages(totalPages);
        for (let i = 0; i < n; i++) {
          checkAbort();
          if (outOfTime(i)) break;
          const page = await doc.getPage(i + 1);
          const scale = pdfScale(page, cfg.maxSide);
          const content = await readTextLayer(page, i, scale);
          if (hasUsableText(content)) {
            pages.push({ index: i, width: content.width, height: content.height, words: content.words, textSource: 'pdf_text', ocrConfidence: null, raster: null });
            if (i === 0) {
              const thumb = await renderPage(page, scale * (256 / cfg.maxSide));
              vitRaster = { width: thumb.width, height: thumb.height, grey: thumb.grey, png: Buffer.alloc(0) };
            }
          } else {
            const r = await renderPage(page, scale);
            const raster = await rasterFromGrey(r.grey, r.width, r.height);
            pages.push({ index: i, width: r.width, height: r.height, words: [], textSource: 'none', ocrConfidence: null, raster });
            if (i === 0) vitRaster = raster;
          }
        }
      } catch (e) {
        if (e instanceof PerceptionError) throw e;
        throw new PerceptionError('corrupt', 'Part of this PDF could not be read: it looks damaged. Download or export it again.', { cause: e });
      } finally {
        await doc.destroy().catch(() => undefined);
      }
    }
    timing.intakeMs = performance.now() - t0;

    // ViT on the first page: type probabilities + embedding; also the blank-page test.
    checkAbort();
    progress('vit');
    let visual: VisualResult | null = null;
    let blank = false;
    if (vitRaster) {
      blank = greyStdDev(vitRaster.grey) < 4;
      if (!blank || type.kind === 'pdf') {
        const clf = await deps.classifier();
        visual = await clf.classify(vitRaster.grey, vitRaster.width, vitRaster.height);
        timing.vitMs = visual.ms;
      }
    }

    // OCR pages without a text layer (skipped for blank images: nothing to read).
    const toOcr = pages.filter((p) => p.raster && p.textSource === 'none');
    for (const p of toOcr) {
      checkAbort();
      if (blank) break;
      if (p.index > 0 && performance.now() > deadline) {
        warnings.push(`Page ${p.index + 1} and later were not read: the time budget ran out.`);
        break;
      }
      progress('ocr', p.index + 1, pages.length);
      const t = performance.now();
      const straight = await deskewPage(p.raster!);
      if (straight.angle) {
        p.raster = straight.page;
        p.width = straight.page.width;
        p.height = straight.page.height;
      }
      let r = await deps.ocr.recognize(p.raster!.png, p.index, { signal: opts.signal });
      // A picture the ViT is sure of and in which OCR found (almost) nothing: no text to rescue by rotating or
      // re-lighting it; the one sparse-text pass below still looks for scattered words.
      const bareImage = (visual?.probs.photo ?? 0) > 0.8 && r.words.length < 3;
      if (!bareImage && looksUnread(r) && performance.now() < deadline) {
        // A photo taken sideways or upside down without EXIF orientation: try the other three orientations.
        // Whatever the ViT thinks: a confidently wrong "photo" must not stop a receipt from being read.
        const best = await tryRotations(p, r, deps.ocr, opts.signal);
        if (best.angle) warnings.push(`Page ${p.index + 1} was rotated by ${best.angle}° before reading.`);
        r = best.result;
      }
      if (!bareImage && type.kind === 'image' && poorlyRead(r) && performance.now() < deadline) {
        // A phone photo: the page seen at an angle on a table, shadows, uneven light. Read it again with the
        // page's edges found and its perspective rectified, and the lighting flattened; keep the better read.
        const quad = findPageQuad(p.raster!.grey, p.raster!.width, p.raster!.height);
        const flat = await flattenIllumination(quad ? await rectify(p.raster!, quad, cfg.maxSide) : p.raster!);
        const again = await deps.ocr.recognize(flat.png, p.index, { signal: opts.signal });
        // Better overall and not at the cost of what the first read had: a dark letterhead band can fall outside
        // the bright page region or wash out when the light is flattened.
        if (readScore(again) > readScore(r) * 1.1 && keeps(again, r)) {
          r = again;
          p.raster = flat;
          p.width = flat.width;
          p.height = flat.height;
          warnings.push(`Page ${p.index + 1} was read ${quad ? 'with its perspective rectified and ' : 'with '}its lighting evened out.`);
        }
      }
      if (((moneyWords(r) < 3 && moneyCues(r)) || goodWords(r) < 12) && performance.now() < deadline) {
        // Sparse text, whatever the document type: layout analysis sometimes drops the column of amounts on
        // photos and receipts; sparse mode usually keeps it.
        const sparse = await deps.ocr.recognize(p.raster!.png, p.index, { signal: opts.signal, mode: 'sparse' });
        if (readScore(sparse) > readScore(r) && keeps(sparse, r)) r = sparse;
      }
      timing.ocrMs += performance.now() - t;
      p.words = r.words;
      p.textSource = 'ocr';
      p.ocrConfidence = r.confidence;
      if (r.confidence !== null && r.confidence < 0.6) warnings.push(`Page ${p.index + 1} is hard to read (OCR confidence ${Math.round(r.confidence * 100)}%).`);
    }

    checkAbort();
    progress('semantic');
    const ts = performance.now();
    const words = pages.flatMap((p) => p.words);
    const first = pages[0];
    const firstWords = words.filter((w) => w.box.page === 0);
    const topText = firstWords.filter((w) => first && w.box.y < first.height * 0.3).map((w) => w.text).join(' ');
    const text = pages.map((p) => wordsToText(p.words)).join('\n\f\n');
    const decision = blank && !words.length
      ? { value: 'other' as const, confidence: 1, decidedBy: ['blank-image'] }
      : decideDocType({
      vit: visual?.probs ?? null,
      text,
      topText,
      words: words.length,
      aspect: first ? contentAspect(firstWords, first.width, first.height) : 1,
      monospace: isMonospace(firstWords),
    });
    let notDocumentReason: string | null = null;
    if (blank && !words.length) notDocumentReason = 'The image is blank: there is nothing to read.';
    else if (decision.value === 'photo') notDocumentReason = 'This looks like a photo, not a document (no invoice, receipt or screen in it).';
    else if (!words.length) notDocumentReason = 'No text could be found in this file.';
    // The document type does not gate extraction: any page with text gets fields, whatever the classifier says
    // (a receipt the ViT calls "other" is still read). Screenshots and other pages keep them only when a total
    // was found (a chat that mentions "no. 12" is not an invoice).
    const fields = !notDocumentReason ? extractInvoiceFields({ words, pageHeights: pages.map((p) => p.height) }) : null;
    const invoice = fields && (decision.value === 'invoice' || decision.value === 'receipt' || fields.total.value !== null) ? fields : null;
    const screenshot = !notDocumentReason && decision.value === 'screenshot' && first
      ? analyseScreenshot(firstWords, first.raster ? { grey: first.raster.grey, width: first.raster.width, height: first.raster.height } : null)
      : null;
    timing.semanticMs = performance.now() - ts;
    const result: PerceptionResult = {
      isDocument: notDocumentReason === null,
      notDocumentReason,
      docType: { ...decision, vit: visual?.probs ?? null },
      source: { kind: type.kind, mimeType: type.mimeType, bytes: bytes.length, pages: totalPages, pagesProcessed: pages.length, filename: input.filename ?? (input.path ? input.path.split('/').pop()! : null) },
      pages: pages.map((p) => ({ index: p.index, width: p.width, height: p.height, textSource: p.textSource, ocrConfidence: p.ocrConfidence, words: p.words })),
      embedding: visual?.embedding ?? [],
      text,
      invoice,
      screenshot,
      lowConfidence: invoice ? lowConfidenceOf(invoice, cfg.lowConfidenceThreshold) : [],
      warnings,
      backend: deps.backend(),
      timings: { totalMs: Math.round(performance.now() - t0), ...roundAll(timing) },
    };
    progress('done');
    return result;
  };
}

const moneyWords = (r: OcrPage): number => r.words.filter((w) => /\d[.,]\d{2}(?!\d)/.test(w.text)).length;
/** Text that promises amounts (a total/tax label or a currency), whatever the classifier thinks of the page. */
const moneyCues = (r: OcrPage): boolean => {
  const t = r.words.map((w) => w.text).join(' ');
  return findCurrencies(t).length > 0 || findLabels(norm(t)).some((h) => h.def.field === 'total' || h.def.field === 'subtotal' || h.def.field === 'tax');
};
const goodWords = (r: OcrPage): number => r.words.filter((w) => w.confidence > 0.7 && /[\p{L}\d]{2}/u.test(w.text)).length;
/** Tesseract reads sideways words one by one, so a rotated page shows up as mostly tall, narrow word boxes. */
function verticalShare(r: OcrPage): number {
  const long = r.words.filter((w) => w.text.length >= 3);
  return long.length ? long.filter((w) => w.box.h > w.box.w * 1.2).length / long.length : 0;
}
/** Whether `next` still has (nearly) all the confident words `prev` read. */
function keeps(next: OcrPage, prev: OcrPage): boolean {
  const key = (w: Word): string => w.text.toLowerCase().replace(/[^\p{L}\d]/gu, '');
  const had = new Set(prev.words.filter((w) => w.confidence > 0.7 && key(w).length >= 3).map(key));
  if (had.size < 10) return true;
  const now = new Set(next.words.map(key));
  return [...had].filter((k) => now.has(k)).length >= had.size * 0.85;
}
/** OCR that found little readable text: worth a second read with the lighting evened out. */
const poorlyRead = (r: OcrPage): boolean => goodWords(r) < 40 || (r.confidence ?? 0) < 0.75;
/** How much was read: confident words, with money amounts counting extra (they are what we are after). */
const readScore = (r: OcrPage): number => goodWords(r) + 2 * moneyWords(r);
const looksUnread = (r: OcrPage): boolean => goodWords(r) < 6 || (r.confidence ?? 0) < 0.55 || verticalShare(r) > 0.5;

async function tryRotations(p: PageWork, first: OcrPage, ocr: OcrPort, signal?: AbortSignal): Promise<{ result: OcrPage; angle: number }> {
  let best = { result: first, angle: 0, score: verticalShare(first) > 0.5 ? 0 : goodWords(first) };
  const orig = p.raster!;
  const angles = verticalShare(first) > 0.5 ? [90, 270] : [90, 270, 180];
  for (const angle of angles) {
    const { data, info } = await sharp(orig.grey, { raw: { width: orig.width, height: orig.height, channels: 1 } })
      .rotate(angle)
      .extractChannel(0)
      .raw()
      .toBuffer({ resolveWithObject: true });
    const png = await sharp(data, { raw: { width: info.width, height: info.height, channels: 1 } }).png({ compressionLevel: 1 }).toBuffer();
    const r = await ocr.recognize(png, p.index, { signal });
    const score = verticalShare(r) > 0.5 ? 0 : goodWords(r);
    if (score > best.score * 1.5 + 3) {
      best = { result: r, angle, score };
      p.raster = { width: info.width, height: info.height, grey: data, png };
      p.width = info.width;
      p.height = info.height;
    }
  }
  return best;
}

/** Spread of grey levels (0–255), sampled: a blank page or an image of nothing is nearly uniform. */
function greyStdDev(a: Uint8Array): number {
  let s = 0;
  let s2 = 0;
  let n = 0;
  for (let i = 0; i < a.length; i += 13) {
    s += a[i];
    s2 += a[i] * a[i];
    n++;
  }
  const m = s / Math.max(1, n);
  return Math.sqrt(Math.max(0, s2 / Math.max(1, n) - m * m));
}



function roundAll<T extends Record<string, number>>(o: T): T {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v)])) as T;
}
