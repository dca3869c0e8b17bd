import { createWorker, OEM, PSM, type Worker } from 'tesseract.js';
import { PerceptionError } from '../errors.ts';
import type { Word } from '../result.schema.ts';
import type { OcrPage, OcrPort } from './ocr.port.ts';
import { prepareLangFolder } from './tessdata.ts';

interface Slot {
  worker: Promise<Worker>;
  busy: boolean;
  psm?: PSM;
}

/**
 * Tesseract.js OCR with a small pool of workers that stay alive across pages and documents (start-up costs
 * ~0.6 s per worker). Workers start lazily on first use. Fully offline: core wasm from tesseract.js-core,
 * language data from @tesseract.js-data packages.
 */
export function createTesseractOcr(opts: { langs: string; workers: number }): OcrPort {
  const langs = opts.langs.split('+');
  const langPath = prepareLangFolder(langs);
  const slots: Slot[] = [];
  const waiters: ((s: Slot) => void)[] = [];
  let closed = false;

  const start = async (): Promise<Worker> => {
    const w = await createWorker(langs, OEM.LSTM_ONLY, { langPath, gzip: true, cacheMethod: 'none', errorHandler: () => undefined });
    await w.setParameters({ tessedit_pageseg_mode: PSM.AUTO, preserve_interword_spaces: '1', user_defined_dpi: '200' });
    return w;
  };

  const acquire = async (): Promise<Slot> => {
    if (closed) throw new PerceptionError('ocr_failed', 'The OCR engine has been shut down.');
    const free = slots.find((s) => !s.busy);
    if (free) {
      free.busy = true;
      return free;
    }
    if (slots.length < opts.workers) {
      const s: Slot = { worker: start(), busy: true };
      slots.push(s);
      return s;
    }
    return new Promise((resolve) => waiters.push(resolve));
  };

  const release = (s: Slot): void => {
    const next = waiters.shift();
    if (next) next(s);
    else s.busy = false;
  };

  return {
    languages: () => [...langs],
    async recognize(image, page, o = {}): Promise<OcrPage> {
      if (o.signal?.aborted) throw new PerceptionError('aborted', 'Reading the document was cancelled.');
      const slot = await acquire();
      try {
        const worker = await slot.worker;
        const psm = o.mode === 'sparse' ? PSM.SPARSE_TEXT : PSM.AUTO;
        if (slot.psm !== psm) {
          await worker.setParameters({ tessedit_pageseg_mode: psm });
          slot.psm = psm;
        }
        const res = await worker.recognize(image, { rotateAuto: true }, { blocks: true, text: true });
        return toPage(res.data, page);
      } catch (e) {
        if (e instanceof PerceptionError) throw e;
        // A crashed worker is replaced so the next page gets a fresh one.
        const i = slots.indexOf(slot);
        if (i >= 0) slots.splice(i, 1);
        slot.worker.then((w) => w.terminate()).catch(() => undefined);
        throw new PerceptionError('ocr_failed', 'Text recognition failed on this page; try again or send a clearer image.', { cause: e });
      } finally {
        if (slots.includes(slot)) release(slot);
      }
    },
    async close(): Promise<void> {
      closed = true;
      const all = slots.splice(0);
      await Promise.all(all.map((s) => s.worker.then((w) => w.terminate()).catch(() => undefined)));
    },
  };
}

interface TessBbox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
interface TessData {
  text: string;
  blocks: { paragraphs: { lines: { words: { text: string; confidence: number; bbox: TessBbox }[] }[] }[] }[] | null;
}

function toPage(data: TessData, page: number): OcrPage {
  const words: Word[] = [];
  for (const b of data.blocks ?? [])
    for (const p of b.paragraphs)
      for (const l of p.lines)
        for (const w of l.words) {
          let t = w.text.trim();
          if (!t) continue;
          // Tesseract often reads the numero sign "N°"/"Nº" as "N2", "n2" or "N*".
          if (/^[Nn][2º°*]$/.test(t)) t = 'N°';
          const confidence = Math.max(0, Math.min(1, w.confidence / 100));
          const box = { page, x: w.bbox.x0, y: w.bbox.y0, w: w.bbox.x1 - w.bbox.x0, h: w.bbox.y1 - w.bbox.y0 };
          // A label glued to its amount ("FACTURA153,37"): split it, sharing the box by character count.
          const glued = /^(\p{L}{3,}[.:]?)(\d[\d.,]*[.,]\d{2})$/u.exec(t);
          if (glued) {
            const k = glued[1].length / t.length;
            words.push({ text: glued[1], confidence, box: { ...box, w: box.w * k } });
            words.push({ text: glued[2], confidence, box: { ...box, x: box.x + box.w * k, w: box.w * (1 - k) } });
            continue;
          }
          words.push({ text: t, confidence, box });
        }
  const confidence = words.length ? words.reduce((s, w) => s + w.confidence, 0) / words.length : null;
  return { words, confidence, text: data.text ?? '' };
}
