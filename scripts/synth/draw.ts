import type { SKRSContext2D } from '@napi-rs/canvas';
import type { Rng } from './rng.ts';

/** Small drawing helpers shared by the synthetic renderers. */
export const FONTS = ['DejaVu Sans', 'DejaVu Serif', 'DejaVu Sans Mono', 'DejaVu Sans Condensed', 'DejaVu Serif Condensed'];

export function font(ctx: SKRSContext2D, size: number, family: string, bold = false): void {
  ctx.font = `${bold ? 'bold ' : ''}${Math.round(size)}px "${family}"`;
}

/** A drawn text run in the renderer's unscaled page units, recorded so a page can be replayed into a PDF. */
export interface TextRun {
  s: string;
  x: number;
  y: number;
  align: CanvasTextAlign;
  size: number;
  bold: boolean;
  mono: boolean;
  serif: boolean;
}

let recorder: TextRun[] | null = null;

/** Records every `text()` call made while `fn` runs (for digital-PDF fixtures with the same layout). */
export function recordText<T>(fn: () => T): { value: T; runs: TextRun[] } {
  const runs: TextRun[] = [];
  recorder = runs;
  try {
    return { value: fn(), runs };
  } finally {
    recorder = null;
  }
}

export function text(ctx: SKRSContext2D, s: string, x: number, y: number, align: CanvasTextAlign = 'left'): void {
  ctx.textAlign = align;
  ctx.textBaseline = 'alphabetic';
  ctx.fillText(s, x, y);
  if (recorder) {
    const m = /(bold )?(\d+)px "([^"]+)"/.exec(ctx.font) ?? /(bold )?(\d+)px (.+)/.exec(ctx.font);
    recorder.push({ s, x, y, align, size: m ? Number(m[2]) : 16, bold: !!m?.[1], mono: /Mono/.test(m?.[3] ?? ''), serif: /Serif/.test(m?.[3] ?? '') });
  }
}

export function inkColor(rng: Rng): string {
  const g = rng.int(0, 60);
  return rng.chance(0.15) ? `rgb(${rng.int(0, 40)},${rng.int(20, 60)},${rng.int(70, 130)})` : `rgb(${g},${g},${g})`;
}

export function accentColor(rng: Rng): string {
  return rng.pick(['#1f4e79', '#2e7d32', '#8e24aa', '#c62828', '#37474f', '#00695c', '#ef6c00', '#283593']);
}

export function paperColor(rng: Rng): string {
  const v = rng.int(238, 255);
  return `rgb(${v},${v - rng.int(0, 6)},${v - rng.int(0, 12)})`;
}

/** Word-like grey blocks: lets "other" pages and UI mockups look textual without legible text. */
export function scribble(ctx: SKRSContext2D, rng: Rng, x: number, y: number, w: number, h: number): void {
  let cx = x;
  while (cx < x + w) {
    const ww = rng.range(h * 1.5, h * 5);
    if (cx + ww > x + w) break;
    ctx.fillRect(cx, y, ww, h);
    cx += ww + h * 0.6;
  }
}
