import sharp from 'sharp';
import type { RasterPage } from './image.ts';

/**
 * Evens out the lighting of a phone photo before OCR: shadows, vignetting and a yellowish cast make Tesseract's
 * global threshold drop whole regions. The page is divided by its own background (a heavy blur of a downscaled
 * copy, in which text strokes vanish), so paper becomes uniformly white and ink keeps its contrast; then the
 * result is thresholded against that local background (adaptive binarisation: ink is what is clearly darker
 * than the paper around it).
 */
export async function flattenIllumination(page: RasterPage): Promise<RasterPage> {
  const { width, height, grey } = page;
  const small = Math.max(8, Math.round(Math.max(width, height) / 16));
  const { data: low, info } = await sharp(grey, { raw: { width, height, channels: 1 } })
    .resize({ width: small, height: small, fit: 'inside' })
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  // A max filter spreads the paper over thin dark strokes, so the background keeps only the lighting.
  const paper = maxFilter(low, info.width, info.height, 2);
  const bg = await sharp(paper, { raw: { width: info.width, height: info.height, channels: 1 } })
    .blur(2)
    .resize({ width, height, fit: 'fill', kernel: 'cubic' })
    .extractChannel(0)
    .raw()
    .toBuffer();
  const out = Buffer.alloc(width * height);
  for (let i = 0; i < out.length; i++) {
    const b = Math.max(24, bg[i]);
    const r = grey[i] / b;
    // Ratio ≥ 0.82 of the local paper brightness is paper; well below it is ink.
    out[i] = r >= 0.82 ? 255 : r <= 0.45 ? 0 : Math.round(((r - 0.45) / 0.37) * 255);
  }
  const png = await sharp(out, { raw: { width, height, channels: 1 } }).png({ compressionLevel: 1 }).toBuffer();
  return { width, height, grey: out, png };
}

function maxFilter(a: Buffer, w: number, h: number, r: number): Buffer {
  const out = Buffer.alloc(a.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let m = 0;
      for (let dy = -r; dy <= r; dy++) {
        const yy = Math.min(h - 1, Math.max(0, y + dy));
        for (let dx = -r; dx <= r; dx++) m = Math.max(m, a[yy * w + Math.min(w - 1, Math.max(0, x + dx))]);
      }
      out[y * w + x] = m;
    }
  }
  return out;
}
