import type { Box, ScreenshotInfo, Word } from '../result.schema.ts';
import { buildLines, unionBox, type Line } from './layout.ts';
import { norm } from './normalize.ts';

/**
 * Screenshots: UI layout regions and a one-line gist. Bars (header, footer) and a sidebar are found from the
 * pixels as uniform bands whose tone differs from the page background; text blocks come from word boxes
 * grouped by proximity; a short text on a filled patch is a button. The gist is the most message-like block
 * (longest sentence outside bars and sidebar, with complaint words weighing extra).
 */
export interface GreyImage {
  grey: Uint8Array;
  width: number;
  height: number;
}

const BOILERPLATE = /^(type a message|inbox|sent|drafts|archive|spam|search|settings|home|reply|send|dashboard|orders|customers|reports|mail|chat)\b/;
const COMPLAINT = /\b(damaged|broken|late|refund|wrong|charged twice|missing|cancel|complain|problem|issue|not arrived|never arrived|defect|angekommen|beschadigt|kaputt|erstattung|falsch|rembourse|abime|casse|retard|reembolso|roto|incompleto|falta|defectuoso|logging me out|crash|error)\w*/;

function rowStats(img: GreyImage, y: number, x0 = 0, x1 = img.width): { mean: number; std: number } {
  let s = 0;
  let s2 = 0;
  const n = x1 - x0;
  const row = y * img.width;
  for (let x = x0; x < x1; x++) {
    const v = img.grey[row + x];
    s += v;
    s2 += v * v;
  }
  const mean = s / n;
  return { mean, std: Math.sqrt(Math.max(0, s2 / n - mean * mean)) };
}

function colStats(img: GreyImage, x: number, y0: number, y1: number): { mean: number; std: number } {
  let s = 0;
  let s2 = 0;
  for (let y = y0; y < y1; y++) {
    const v = img.grey[y * img.width + x];
    s += v;
    s2 += v * v;
  }
  const n = Math.max(1, y1 - y0);
  const mean = s / n;
  return { mean, std: Math.sqrt(Math.max(0, s2 / n - mean * mean)) };
}

/** Background tone: the most common grey level (in bins of 8). */
function background(img: GreyImage): number {
  const hist = new Array(32).fill(0);
  for (let i = 0; i < img.grey.length; i += 7) hist[img.grey[i] >> 3]++;
  return hist.indexOf(Math.max(...hist)) * 8 + 4;
}

/** A band from an edge whose first rows are uniform and differ from the background (a coloured bar). */
function band(img: GreyImage, bg: number, fromTop: boolean): number {
  const start = fromTop ? 0 : img.height - 1;
  const first = rowStats(img, start);
  if (Math.abs(first.mean - bg) < 12 || first.std > 40) return 0;
  let y = 0;
  const max = Math.floor(img.height * 0.2);
  while (y < max) {
    const r = rowStats(img, fromTop ? y : img.height - 1 - y);
    if (Math.abs(r.mean - first.mean) > 25) break;
    y++;
  }
  return y >= img.height * 0.03 && y < max ? y : 0;
}

function sidebar(img: GreyImage, bg: number, top: number, bottom: number): number {
  const y0 = top;
  const y1 = img.height - bottom;
  if (y1 - y0 < 20) return 0;
  const first = colStats(img, 2, y0, y1);
  if (Math.abs(first.mean - bg) < 8) return 0;
  let x = 2;
  const max = Math.floor(img.width * 0.4);
  while (x < max && Math.abs(colStats(img, x, y0, y1).mean - first.mean) < 10) x += 2;
  return x >= img.width * 0.1 && x < max ? x : 0;
}

export function analyseScreenshot(words: Word[], img: GreyImage | null, page = 0): ScreenshotInfo {
  const lines = buildLines(words.filter((w) => w.box.page === page));
  const text = lines.map((l) => l.text.replace(/\s{2,}/g, ' ')).join('\n');
  const regions: ScreenshotInfo['regions'] = [];
  const W = img?.width ?? Math.max(1, ...words.map((w) => w.box.x + w.box.w));
  const H = img?.height ?? Math.max(1, ...words.map((w) => w.box.y + w.box.h));
  let top = 0;
  let bottom = 0;
  let side = 0;
  if (img) {
    const bg = background(img);
    top = band(img, bg, true);
    bottom = band(img, bg, false);
    side = sidebar(img, bg, top, bottom);
  }
  const inBox = (b: Box, r: Box): boolean => b.x + b.w / 2 >= r.x && b.x + b.w / 2 <= r.x + r.w && b.y + b.h / 2 >= r.y && b.y + b.h / 2 <= r.y + r.h;
  const bars: [typeof regions[number]['kind'], Box][] = [];
  if (top) bars.push(['header', { page, x: 0, y: 0, w: W, h: top }]);
  if (bottom) bars.push(['footer', { page, x: 0, y: H - bottom, w: W, h: bottom }]);
  if (side) bars.push(['sidebar', { page, x: 0, y: top, w: side, h: H - top - bottom }]);
  for (const [kind, box] of bars) regions.push({ kind, box, text: lines.filter((l) => inBox(l.box, box)).map((l) => l.text).join(' / ') });
  const content = lines.filter((l) => !bars.some(([, b]) => inBox(l.box, b)));
  const blocks = groupBlocks(content);
  let best: { text: string; score: number } | null = null;
  for (const b of blocks) {
    const t = b.map((l) => l.text.replace(/\s{2,}/g, ' ')).join(' ');
    const box = unionBox(b.map((l) => l.box));
    const nWords = t.split(/\s+/).length;
    const filled = img ? isFilled(img, box) : false;
    const kind = nWords <= 2 && filled ? 'button' : filled ? 'message' : 'text_block';
    regions.push({ kind, box, text: t });
    if (BOILERPLATE.test(norm(t)) && nWords < 5) continue;
    const score = Math.min(nWords, 25) + (COMPLAINT.test(norm(t)) ? 15 : 0) + (/[.?!]$/.test(t) ? 2 : 0);
    if (nWords >= 3 && (!best || score > best.score)) best = { text: t, score };
  }
  const ui = /type a message|online|last seen/i.test(text) ? 'Chat' : /\b(from|to|subject)\b:?/i.test(text) && /@/.test(text) ? 'Email' : 'App screen';
  const gistText = best ? (best.text.length > 140 ? `${best.text.slice(0, 137)}…` : best.text) : 'no readable message';
  return { text, regions, gist: `${ui} screenshot: "${gistText}"` };
}

/** Consecutive lines closer than ~1 line height (and overlapping horizontally) form a block. */
function groupBlocks(lines: Line[]): Line[][] {
  const blocks: Line[][] = [];
  for (const l of lines) {
    const last = blocks[blocks.length - 1];
    const prev = last?.[last.length - 1];
    if (prev && l.box.y - (prev.box.y + prev.box.h) < prev.height * 0.6 && Math.min(l.box.x + l.box.w, prev.box.x + prev.box.w) > Math.max(l.box.x, prev.box.x)) last.push(l);
    else blocks.push([l]);
  }
  return blocks;
}

/** Whether the area just around a text box is a filled shape (bubble, button) rather than the page. */
function isFilled(img: GreyImage, b: Box): boolean {
  const pad = Math.max(4, b.h * 0.3);
  const samples: number[] = [];
  for (const [x, y] of [[b.x - pad, b.y + b.h / 2], [b.x + b.w + pad, b.y + b.h / 2], [b.x + b.w / 2, b.y - pad / 2]]) {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= img.width || yi >= img.height) continue;
    samples.push(img.grey[yi * img.width + xi]);
  }
  const bg = background(img);
  // A uniform fill (the samples agree) whose tone differs from the page: light-grey bubbles on white count.
  return samples.length >= 2 && Math.max(...samples) - Math.min(...samples) <= 6 && samples.every((s) => Math.abs(s - bg) > 5);
}
