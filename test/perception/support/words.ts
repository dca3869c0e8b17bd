import type { Word } from '../../../perception/result.schema.ts';

/**
 * OCR-like word inputs for the semantic layer: each row is a line at `y`; each cell is a segment starting at `x`.
 * Words get boxes from a fixed-pitch font (10 px per character, 20 px high), the way an OCR engine or a PDF text
 * layer reports them. `h` scales a cell's font (a letterhead); letter-spaced cells become one word per letter.
 */
export type Cell = [x: number, text: string] | [x: number, text: string, opts: { h?: number; spaced?: boolean; conf?: number }];
export type Row = [y: number, cells: Cell[]];

export function page(rows: Row[], pageIndex = 0, conf = 0.95): Word[] {
  const words: Word[] = [];
  for (const [y, cells] of rows) {
    for (const cell of cells) {
      const [x0, text, opts = {}] = cell;
      const k = opts.h ?? 1;
      const c = opts.conf ?? conf;
      let x = x0;
      if (opts.spaced) {
        // "B I L L   T O": one word per letter, a letter gap inside words and a wider gap between them.
        for (const w of text.split(/\s{2,}/)) {
          for (const ch of w.replace(/\s/g, '')) {
            words.push({ text: ch, confidence: c, box: { page: pageIndex, x, y, w: 10 * k, h: 20 * k } });
            x += 16 * k;
          }
          x += 16 * k;
        }
        continue;
      }
      for (const w of text.split(' ')) {
        if (w) words.push({ text: w, confidence: c, box: { page: pageIndex, x, y: y - (k - 1) * 10, w: w.length * 10 * k, h: 20 * k } });
        x += (w.length + 1) * 10 * k;
      }
    }
  }
  return words;
}
