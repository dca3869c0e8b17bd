import { createCanvas, type Canvas } from '@napi-rs/canvas';
import type { Rng } from './rng.ts';
import { FONTS, font, inkColor, paperColor, scribble, text } from './draw.ts';

/** Photo-like scenes: gradients, blobs, textures and shapes; no document structure. */
export function renderPhoto(rng: Rng, scale = 1): Canvas {
  const portrait = rng.chance(0.4);
  const W0 = portrait ? 720 : 960;
  const H0 = portrait ? 960 : 720;
  const c = createCanvas(Math.round(W0 * scale), Math.round(H0 * scale));
  const ctx = c.getContext('2d');
  ctx.scale(scale, scale);
  const g = ctx.createLinearGradient(0, 0, rng.range(0, W0), H0);
  const col = (): string => `rgb(${rng.int(0, 255)},${rng.int(0, 255)},${rng.int(0, 255)})`;
  g.addColorStop(0, col());
  g.addColorStop(1, col());
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, W0, H0);
  const horizon = rng.range(0.3, 0.7) * H0;
  if (rng.chance(0.6)) {
    ctx.fillStyle = col();
    ctx.fillRect(0, horizon, W0, H0 - horizon);
  }
  const n = rng.int(4, 30);
  for (let i = 0; i < n; i++) {
    ctx.fillStyle = col();
    ctx.globalAlpha = rng.range(0.3, 1);
    ctx.beginPath();
    if (rng.chance(0.5)) ctx.arc(rng.range(0, W0), rng.range(0, H0), rng.range(10, 200), 0, Math.PI * 2);
    else {
      ctx.moveTo(rng.range(0, W0), rng.range(0, H0));
      for (let k = 0; k < rng.int(2, 6); k++) ctx.lineTo(rng.range(0, W0), rng.range(0, H0));
    }
    ctx.fill();
  }
  ctx.globalAlpha = 1;
  // Texture: many small dots (foliage, gravel, fabric).
  const dots = rng.int(0, 3000);
  for (let i = 0; i < dots; i++) {
    ctx.fillStyle = col();
    ctx.fillRect(rng.range(0, W0), rng.range(horizon * rng.range(0, 1), H0), rng.range(1, 6), rng.range(1, 6));
  }
  return c;
}

const PROSE = [
  'Dear Sir or Madam, we are writing to inform you about the changes to our opening hours next month.',
  'Sehr geehrte Damen und Herren, hiermit bestätigen wir den Eingang Ihres Schreibens vom letzten Monat.',
  'Madame, Monsieur, nous vous remercions de votre courrier et revenons vers vous rapidement.',
  'Estimado cliente, le informamos de que nuestra oficina permanecerá cerrada durante las fiestas.',
  'Minutes of the team meeting. Attendees discussed the roadmap, hiring and the new office layout.',
  'Chapter one. The morning was quiet and the harbour lay still under a thin grey mist.',
];

/** "Other" pages: letters and prose, forms without amounts, near-blank pages, sketches. */
export function renderOther(rng: Rng, scale = 1, forceKind?: number): Canvas {
  const W0 = 1000;
  const H0 = rng.chance(0.8) ? 1414 : 760;
  const c = createCanvas(Math.round(W0 * scale), Math.round(H0 * scale));
  const ctx = c.getContext('2d');
  ctx.scale(scale, scale);
  ctx.fillStyle = paperColor(rng);
  ctx.fillRect(0, 0, W0, H0);
  ctx.fillStyle = inkColor(rng);
  const fam = rng.pick(FONTS);
  const picked = rng.int(0, 4);
  const kind = forceKind ?? picked;
  const m = rng.range(60, 110);
  if (kind <= 1) {
    // Letter / prose page.
    const fs = rng.range(17, 22);
    font(ctx, fs, fam);
    let y = m + 40;
    const words = Array.from({ length: rng.int(4, 14) }, () => rng.pick(PROSE)).join(' ').split(' ');
    let line = '';
    for (const w of words) {
      const t = line ? `${line} ${w}` : w;
      if (ctx.measureText(t).width > W0 - 2 * m) {
        text(ctx, line, m, y);
        y += fs * 1.5;
        line = w;
        if (y > H0 - m) break;
      } else line = t;
    }
    if (y <= H0 - m) text(ctx, line, m, y);
  } else if (kind === 2) {
    // Form with boxes and labels but no amounts.
    const fs = 18;
    font(ctx, fs, fam);
    let y = m + 40;
    for (const lab of ['Name', 'Address', 'Phone', 'Email', 'Signature', 'Comments']) {
      text(ctx, lab, m, y);
      ctx.strokeStyle = '#444';
      ctx.strokeRect(m + 180, y - fs, W0 - 2 * m - 180, fs * 1.6);
      y += fs * 3.2;
    }
    for (let r = 0; r < rng.int(2, 10); r++) scribble(ctx, rng, m, y + r * 30, W0 - 2 * m, 10);
  } else if (kind === 3) {
    // Near-blank page with a few marks.
    for (let i = 0; i < rng.int(0, 4); i++) scribble(ctx, rng, rng.range(m, W0 / 2), rng.range(m, H0 - m), rng.range(100, 400), 10);
  } else {
    // Sketch / diagram.
    ctx.strokeStyle = inkColor(rng);
    ctx.lineWidth = rng.range(1, 4);
    for (let i = 0; i < rng.int(5, 25); i++) {
      ctx.beginPath();
      ctx.moveTo(rng.range(0, W0), rng.range(0, H0));
      ctx.bezierCurveTo(rng.range(0, W0), rng.range(0, H0), rng.range(0, W0), rng.range(0, H0), rng.range(0, W0), rng.range(0, H0));
      ctx.stroke();
    }
  }
  return c;
}
