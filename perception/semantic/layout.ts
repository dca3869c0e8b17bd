import type { Box, Word } from '../result.schema.ts';

/**
 * Reading geometry from word boxes, independent of how the OCR engine grouped them: words → visual lines
 * (vertical overlap) → segments (runs of words separated by less than ~1.2 text heights). A label and its value
 * are usually separate segments on one line, or stacked segments in one column.
 */
export interface Segment {
  words: Word[];
  text: string;
  box: Box;
  line: number;
}

export interface Line {
  index: number;
  page: number;
  words: Word[];
  segments: Segment[];
  text: string;
  box: Box;
  /** Median word height: a proxy for font size. */
  height: number;
}

export function unionBox(boxes: Box[]): Box {
  const x0 = Math.min(...boxes.map((b) => b.x));
  const y0 = Math.min(...boxes.map((b) => b.y));
  const x1 = Math.max(...boxes.map((b) => b.x + b.w));
  const y1 = Math.max(...boxes.map((b) => b.y + b.h));
  return { page: boxes[0].page, x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : 0;
};

export function buildLines(words: Word[]): Line[] {
  const byPage = new Map<number, Word[]>();
  for (const w of words) {
    if (!w.text.trim() || w.box.h <= 0) continue;
    const list = byPage.get(w.box.page) ?? [];
    list.push(w);
    byPage.set(w.box.page, list);
  }
  const lines: Line[] = [];
  for (const page of [...byPage.keys()].sort((a, b) => a - b)) {
    const ws = byPage.get(page)!.sort((a, b) => a.box.y + a.box.h / 2 - (b.box.y + b.box.h / 2));
    const groups: { cy: number; h: number; words: Word[] }[] = [];
    for (const w of ws) {
      const cy = w.box.y + w.box.h / 2;
      let best: (typeof groups)[number] | null = null;
      let bestD = Infinity;
      for (const g of groups.slice(-6)) {
        const d = Math.abs(g.cy - cy);
        if (d < Math.min(g.h, w.box.h) * 0.55 && d < bestD) {
          best = g;
          bestD = d;
        }
      }
      if (best) {
        best.words.push(w);
        best.cy = (best.cy * (best.words.length - 1) + cy) / best.words.length;
        best.h = median(best.words.map((x) => x.box.h));
      } else groups.push({ cy, h: w.box.h, words: [w] });
    }
    for (const g of groups.sort((a, b) => a.cy - b.cy)) {
      const sorted = joinLetterSpaced(g.words.sort((a, b) => a.box.x - b.box.x));
      const height = median(sorted.map((w) => w.box.h));
      const index = lines.length;
      const segments: Segment[] = [];
      let cur: Word[] = [];
      for (const w of sorted) {
        const prev = cur[cur.length - 1];
        if (prev && w.box.x - (prev.box.x + prev.box.w) > height * 1.2) {
          segments.push(toSegment(cur, index));
          cur = [];
        }
        cur.push(w);
      }
      if (cur.length) segments.push(toSegment(cur, index));
      lines.push({ index, page, words: sorted, segments, text: segments.map((s) => s.text).join('  '), box: unionBox(sorted.map((w) => w.box)), height });
    }
  }
  return lines;
}

/**
 * Letter-spaced headings ("B I L L   T O", "I N V O I C E") come out of OCR and PDF text layers as one word per
 * letter. Runs of three or more single letters are joined back into words, split where the gap is clearly wider
 * than the letter spacing, so labels match.
 */
export function joinLetterSpaced(words: Word[]): Word[] {
  const out: Word[] = [];
  let i = 0;
  const single = (w: Word): boolean => /^\p{L}$/u.test(w.text);
  while (i < words.length) {
    let j = i;
    while (j + 1 < words.length && single(words[i]) && single(words[j + 1]) && words[j + 1].box.x - (words[j].box.x + words[j].box.w) < words[j].box.h * 1.2) j++;
    if (j - i + 1 < 3) {
      out.push(words[i++]);
      continue;
    }
    const run = words.slice(i, j + 1);
    const gaps = run.slice(1).map((w, k) => w.box.x - (run[k].box.x + run[k].box.w));
    const letterGap = Math.max(0, Math.min(...gaps));
    let cur: Word[] = [run[0]];
    const flush = (): void => {
      out.push({ text: cur.map((w) => w.text).join(''), confidence: Math.min(...cur.map((w) => w.confidence)), box: unionBox(cur.map((w) => w.box)) });
    };
    gaps.forEach((g, k) => {
      if (g > Math.max(letterGap * 2, letterGap + run[k].box.h * 0.35)) {
        flush();
        cur = [];
      }
      cur.push(run[k + 1]);
    });
    flush();
    i = j + 1;
  }
  return out;
}

function toSegment(words: Word[], line: number): Segment {
  return { words, text: words.map((w) => w.text).join(' '), box: unionBox(words.map((w) => w.box)), line };
}

export const meanConfidence = (words: Word[]): number => (words.length ? words.reduce((s, w) => s + w.confidence, 0) / words.length : 0);

/** Horizontal overlap ratio of two boxes relative to the narrower one. */
export function xOverlap(a: Box, b: Box): number {
  const o = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  return o <= 0 ? 0 : o / Math.max(1, Math.min(a.w, b.w));
}
