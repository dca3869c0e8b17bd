import type { Word } from '../result.schema.ts';

// Page-level shape cues from word boxes, shared by the pipeline and the evaluation replay.

/** Receipts print in a fixed-pitch font: character widths vary little across words. */
export function isMonospace(words: Word[]): boolean {
  const per = words.filter((w) => w.text.length >= 4 && /^[\p{L}\d.,:]+$/u.test(w.text)).map((w) => w.box.w / w.text.length / Math.max(1, w.box.h));
  if (per.length < 8) return false;
  const m = per.reduce((a, b) => a + b, 0) / per.length;
  const sd = Math.sqrt(per.reduce((a, b) => a + (b - m) ** 2, 0) / per.length);
  return sd / m < 0.12;
}

/** Width/height of the area covered by text: a receipt photographed on a table is still narrow. */
export function contentAspect(words: Word[], w: number, h: number): number {
  if (words.length < 5) return w / Math.max(1, h);
  const xs = words.map((x) => x.box.x).sort((a, b) => a - b);
  const xe = words.map((x) => x.box.x + x.box.w).sort((a, b) => a - b);
  const ys = words.map((x) => x.box.y).sort((a, b) => a - b);
  const q = (arr: number[], p: number): number => arr[Math.min(arr.length - 1, Math.floor(arr.length * p))];
  return (q(xe, 0.98) - q(xs, 0.02)) / Math.max(1, q(ys, 0.98) - q(ys, 0.02));
}

/** Words in reading order, one text line per visual line. */
export function wordsToText(words: Word[]): string {
  const lines: Word[][] = [];
  for (const w of [...words].sort((a, b) => a.box.y - b.box.y)) {
    const l = lines.find((x) => Math.abs(x[0].box.y + x[0].box.h / 2 - (w.box.y + w.box.h / 2)) < Math.min(x[0].box.h, w.box.h) * 0.5);
    if (l) l.push(w);
    else lines.push([w]);
  }
  return lines.map((l) => l.sort((a, b) => a.box.x - b.box.x).map((w) => w.text).join(' ')).join('\n');
}
