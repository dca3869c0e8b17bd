import { createCanvas, type Canvas } from '@napi-rs/canvas';
import type { Rng } from './rng.ts';

export interface AugmentOptions {
  /** Place the page on a table-like background with rotation and shear (a phone photo). */
  photo?: boolean;
  /** Small rotation in degrees (scan skew). */
  skewDeg?: number;
  noise?: number;
  blur?: number;
  shadow?: boolean;
  lowContrast?: boolean;
}

/** Degrades a rendered page the way scans and phone photos do. Deterministic given the rng. */
export function augment(src: Canvas, rng: Rng, o: AugmentOptions): Canvas {
  let w = src.width;
  let h = src.height;
  const pad = o.photo ? Math.round(Math.max(w, h) * rng.range(0.06, 0.14)) : 0;
  const out = createCanvas(w + 2 * pad, h + 2 * pad);
  const ctx = out.getContext('2d');
  if (o.photo) {
    const v = rng.int(60, 160);
    ctx.fillStyle = `rgb(${v},${v - rng.int(0, 30)},${v - rng.int(0, 50)})`;
    ctx.fillRect(0, 0, out.width, out.height);
  } else {
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, out.width, out.height);
  }
  ctx.save();
  ctx.translate(out.width / 2, out.height / 2);
  const deg = o.skewDeg ?? 0;
  ctx.rotate((deg * Math.PI) / 180);
  if (o.photo) ctx.transform(1, rng.range(-0.03, 0.03), rng.range(-0.04, 0.04), 1, 0, 0);
  if (o.blur && o.blur > 0) ctx.filter = `blur(${o.blur}px)`;
  ctx.drawImage(src, -w / 2, -h / 2);
  ctx.restore();
  ctx.filter = 'none';
  w = out.width;
  h = out.height;
  if (o.shadow) {
    const g = ctx.createLinearGradient(rng.range(0, w), 0, rng.range(0, w), h);
    g.addColorStop(0, 'rgba(0,0,0,0)');
    g.addColorStop(rng.range(0.3, 0.7), `rgba(0,0,0,${rng.range(0.15, 0.35)})`);
    g.addColorStop(1, 'rgba(0,0,0,0.05)');
    ctx.fillStyle = g;
    ctx.fillRect(0, 0, w, h);
  }
  if (o.lowContrast || (o.noise && o.noise > 0)) {
    const img = ctx.getImageData(0, 0, w, h);
    const px = img.data;
    const amp = o.noise ?? 0;
    for (let i = 0; i < px.length; i += 4) {
      const n = amp ? rng.gauss() * amp : 0;
      for (let k = 0; k < 3; k++) {
        let v = px[i + k];
        if (o.lowContrast) v = 90 + v * 0.55;
        px[i + k] = Math.max(0, Math.min(255, v + n));
      }
    }
    ctx.putImageData(img, 0, 0);
  }
  return out;
}
