/**
 * Camera and scanner damage applied to a rendered page. Each effect is a separate step so the manifest can name
 * the ones used: keystone perspective (row strips scaled top to bottom), crumple/warp (row and column sine
 * shifts), rotation (small tilt or quarter turns), shadow (a soft dark wedge), low light (dim, warm cast, grain),
 * blur, thermal fade (print paling towards one end), scanner noise and skew.
 */
import { createCanvas, type Canvas } from '@napi-rs/canvas';
import type { Prng } from './prng.ts';

export type Effect = 'perspective' | 'warp' | 'rotate' | 'quarter-turn' | 'shadow' | 'low-light' | 'blur' | 'thermal-fade' | 'scan-noise' | 'skew';

function blank(w: number, h: number, fill: string): Canvas {
  const c = createCanvas(Math.round(w), Math.round(h));
  const ctx = c.getContext('2d');
  ctx.fillStyle = fill;
  ctx.fillRect(0, 0, c.width, c.height);
  return c;
}

/** Puts the page on a surface (table, desk, fabric) with a margin, as a phone photo would frame it. */
export function onSurface(src: Canvas, p: Prng): Canvas {
  const m = Math.round(Math.max(src.width, src.height) * p.real(0.04, 0.12));
  const out = blank(src.width + 2 * m, src.height + 2 * m, p.one(['#5b4636', '#2f3438', '#8d7b68', '#3d5a4c', '#b9b2a6']));
  const ctx = out.getContext('2d');
  for (let i = 0; i < 40; i++) {
    ctx.fillStyle = `rgba(${p.one(['0,0,0', '255,255,255'])},${p.real(0.02, 0.06)})`;
    ctx.fillRect(0, p.between(0, out.height), out.width, p.between(2, 12));
  }
  ctx.shadowColor = 'rgba(0,0,0,0.45)';
  ctx.shadowBlur = 25;
  ctx.shadowOffsetX = p.between(-8, 8);
  ctx.shadowOffsetY = p.between(4, 14);
  ctx.drawImage(src, m, m);
  return out;
}

function perspective(src: Canvas, p: Prng): Canvas {
  const W = src.width;
  const H = src.height;
  const top = p.real(0.72, 0.95);
  const bottom = p.real(0.95, 1);
  const swap = p.yes(0.3);
  const shift = p.real(-0.06, 0.06) * W;
  const out = blank(W, H, '#3a3a3a');
  const ctx = out.getContext('2d');
  for (let y = 0; y < H; y += 2) {
    const t = y / H;
    const s = swap ? bottom + (top - bottom) * t : top + (bottom - top) * t;
    const dw = W * s;
    // Rows further away are also squeezed vertically a little: sample the source non-linearly.
    const sy = Math.min(H - 2, Math.round(H * (t ** (swap ? 1.08 : 0.93))));
    ctx.drawImage(src, 0, sy, W, 2, (W - dw) / 2 + shift * (1 - t), y, dw, 2);
  }
  return out;
}

function warp(src: Canvas, p: Prng): Canvas {
  const W = src.width;
  const H = src.height;
  const a1 = p.real(3, 10);
  const f1 = p.real(0.004, 0.012);
  const a2 = p.real(2, 7);
  const f2 = p.real(0.003, 0.01);
  const mid = blank(W, H, '#3a3a3a');
  const c1 = mid.getContext('2d');
  for (let y = 0; y < H; y += 2) c1.drawImage(src, 0, y, W, 2, a1 * Math.sin(y * f1) + a1 * 0.5 * Math.sin(y * f1 * 3.1), y, W, 2);
  const out = blank(W, H, '#3a3a3a');
  const c2 = out.getContext('2d');
  for (let x = 0; x < W; x += 2) c2.drawImage(mid, x, 0, 2, H, x, a2 * Math.sin(x * f2 + 1.3), 2, H);
  // Crease lines: a light and a dark stripe side by side.
  for (let i = 0; i < p.between(1, 3); i++) {
    const x = p.between(Math.round(W * 0.2), Math.round(W * 0.8));
    c2.fillStyle = 'rgba(255,255,255,0.18)';
    c2.fillRect(x, 0, 3, H);
    c2.fillStyle = 'rgba(0,0,0,0.12)';
    c2.fillRect(x + 3, 0, 4, H);
  }
  return out;
}

function rotate(src: Canvas, deg: number, fill: string): Canvas {
  const r = (deg * Math.PI) / 180;
  const W = Math.abs(src.width * Math.cos(r)) + Math.abs(src.height * Math.sin(r));
  const H = Math.abs(src.width * Math.sin(r)) + Math.abs(src.height * Math.cos(r));
  const out = blank(W, H, fill);
  const ctx = out.getContext('2d');
  ctx.translate(out.width / 2, out.height / 2);
  ctx.rotate(r);
  ctx.drawImage(src, -src.width / 2, -src.height / 2);
  return out;
}

function shadow(src: Canvas, p: Prng): Canvas {
  const ctx = src.getContext('2d');
  const W = src.width;
  const H = src.height;
  const g = ctx.createLinearGradient(p.real(0, W), 0, p.real(0, W), H);
  g.addColorStop(0, 'rgba(0,0,0,0)');
  g.addColorStop(p.real(0.3, 0.6), `rgba(0,0,0,${p.real(0.25, 0.5)})`);
  g.addColorStop(1, 'rgba(0,0,0,0.05)');
  ctx.fillStyle = g;
  ctx.beginPath();
  ctx.moveTo(p.real(0, W * 0.5), 0);
  ctx.lineTo(p.real(W * 0.5, W), 0);
  ctx.lineTo(p.real(W * 0.3, W), H);
  ctx.lineTo(0, H);
  ctx.fill();
  return src;
}

function pixels(src: Canvas, fn: (d: Uint8ClampedArray, i: number) => void): Canvas {
  const ctx = src.getContext('2d');
  const img = ctx.getImageData(0, 0, src.width, src.height);
  for (let i = 0; i < img.data.length; i += 4) fn(img.data, i);
  ctx.putImageData(img, 0, 0);
  return src;
}

function lowLight(src: Canvas, p: Prng): Canvas {
  const k = p.real(0.45, 0.7);
  const warm = p.real(0, 25);
  const grain = p.real(8, 22);
  let s = Math.floor(p.float() * 1e9);
  const noise = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s / 4294967296 - 0.5) * 2 * grain;
  };
  return pixels(src, (d, i) => {
    const n = noise();
    d[i] = d[i] * k + warm + n;
    d[i + 1] = d[i + 1] * k + warm * 0.6 + n;
    d[i + 2] = d[i + 2] * k + n;
  });
}

function thermalFade(src: Canvas, p: Prng): Canvas {
  const H = src.height;
  const strength = p.real(0.45, 0.75);
  const fromTop = p.yes(0.5);
  return pixels(src, (d, i) => {
    const y = Math.floor(i / 4 / src.width);
    const t = fromTop ? 1 - y / H : y / H;
    const a = strength * t;
    d[i] = d[i] + (250 - d[i]) * a;
    d[i + 1] = d[i + 1] + (250 - d[i + 1]) * a;
    d[i + 2] = d[i + 2] + (244 - d[i + 2]) * a;
  });
}

function scanNoise(src: Canvas, p: Prng): Canvas {
  const amount = p.real(10, 30);
  let s = Math.floor(p.float() * 1e9);
  return pixels(src, (d, i) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const n = (s / 4294967296 - 0.5) * amount;
    const v = (d[i] + d[i + 1] + d[i + 2]) / 3 + n;
    d[i] = d[i + 1] = d[i + 2] = (s & 0xfff) === 7 ? 30 : v;
  });
}

function blur(src: Canvas, px: number): Canvas {
  const out = createCanvas(src.width, src.height);
  const ctx = out.getContext('2d');
  ctx.filter = `blur(${px}px)`;
  ctx.drawImage(src, 0, 0);
  return out;
}

/** Applies the listed effects in a fixed order and returns the result. */
export function damage(src: Canvas, effects: Effect[], p: Prng, surface: boolean): Canvas {
  let c = src;
  const has = (e: Effect): boolean => effects.includes(e);
  if (has('thermal-fade')) c = thermalFade(c, p);
  if (has('warp')) c = warp(c, p);
  if (surface) c = onSurface(c, p);
  if (has('perspective')) c = perspective(c, p);
  if (has('rotate')) c = rotate(c, p.real(-9, 9), '#333');
  if (has('skew')) c = rotate(c, p.real(-2.5, 2.5), '#ffffff');
  if (has('quarter-turn')) c = rotate(c, p.one([90, 180, 270]), '#333');
  if (has('shadow')) c = shadow(c, p);
  if (has('low-light')) c = lowLight(c, p);
  if (has('scan-noise')) c = scanNoise(c, p);
  if (has('blur')) c = blur(c, p.real(0.8, 2));
  return c;
}
