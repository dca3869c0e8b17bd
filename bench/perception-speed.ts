/**
 * Perception speed on this machine, per page: ViT forward pass, OCR, whole pipeline (p50/p95), and peak RSS.
 *   npx tsx bench/perception-speed.ts [--n 24] [--workers 1]
 * Uses the evaluation set; two warm-up documents (an image and a PDF) are not counted.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { createPerception, perceptionConfigFromEnv } from '../perception/index.ts';
import { ensureBackend } from '../perception/vit/backend.ts';
import { loadVitClassifier, SHIPPED_MODEL_DIR } from '../perception/vit/vit.classifier.ts';

const DIR = 'test/fixtures/perception';
const arg = (n: string, d: string): string => {
  const i = process.argv.indexOf(`--${n}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const q = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN;
};
const fmt = (xs: number[]): string => `p50 ${q(xs, 0.5).toFixed(0)} ms, p95 ${q(xs, 0.95).toFixed(0)} ms (n=${xs.length})`;

async function main(): Promise<void> {
  let peak = 0;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  const labels = JSON.parse(readFileSync(join(DIR, 'labels.json'), 'utf8')) as { file: string }[];
  const n = Number(arg('n', '24'));
  // Every kth document, so the subset mixes formats and types.
  const step = Math.max(1, Math.floor(labels.length / n));
  const files = labels.filter((_, i) => i % step === 0).slice(0, n).map((l) => l.file);
  const config = perceptionConfigFromEnv(undefined, { ocrWorkers: Number(arg('workers', '1')) });

  // ViT forward pass alone, on decoded pages.
  const b = await ensureBackend(config.tfBackend);
  const clf = await loadVitClassifier(config.vitModelPath ?? SHIPPED_MODEL_DIR, b.backend);
  const vit: number[] = [];
  for (const f of files.filter((x) => !x.endsWith('.pdf')).slice(0, 10)) {
    const { data, info } = await sharp(join(DIR, f)).rotate().greyscale().resize({ width: 1200, height: 1200, fit: 'inside' }).raw().toBuffer({ resolveWithObject: true });
    for (let k = 0; k < 6; k++) {
      const r = await clf.classify(data, info.width, info.height);
      if (k > 0) vit.push(r.ms);
    }
  }
  await clf.close();

  const p = createPerception(config);
  // Warm-up (not counted): starts the OCR worker, loads the ViT, and imports pdfjs with its fonts.
  await p.perceive({ path: join(DIR, files[0]) });
  await p.perceive({ path: join(DIR, labels.find((l) => l.file.endsWith('.pdf'))!.file) });
  const total: number[] = [];
  const ocr: number[] = [];
  const pdfText: number[] = [];
  for (const f of files.slice(1)) {
    const r = await p.perceive({ path: join(DIR, f) });
    const pages = Math.max(1, r.source.pagesProcessed);
    const ocrPages = r.pages.filter((x) => x.textSource === 'ocr').length;
    total.push(r.timings.totalMs / pages);
    if (ocrPages) ocr.push(r.timings.ocrMs / ocrPages);
    else if (r.pages.every((x) => x.textSource === 'pdf_text')) pdfText.push(r.timings.totalMs / pages);
    process.stderr.write('.');
  }
  await p.close();
  clearInterval(sample);
  process.stderr.write('\n');
  console.log(`backend: ${b.backend}; OCR workers: ${config.ocrWorkers}; languages: ${config.ocrLangs}; documents: ${files.length - 1} (+2 warm-up)`);
  console.log(`ViT forward pass per page:     ${fmt(vit)}`);
  console.log(`OCR per OCR'd page:            ${fmt(ocr)}`);
  console.log(`whole pipeline per page:       ${fmt(total)}`);
  console.log(`  digital-PDF pages only:      ${fmt(pdfText)}`);
  console.log(`peak RSS: ${(Math.max(peak, process.resourceUsage().maxRSS * 1024) / 1024 / 1024).toFixed(0)} MB`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
