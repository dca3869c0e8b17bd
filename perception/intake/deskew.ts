import sharp from 'sharp';
import type { RasterPage } from './image.ts';

/**
 * Small-angle deskew for scans and phone photos. Tesseract loses a right-hand column of amounts when lines
 * drift by a line height across the page (≈3° on a receipt). The angle is found with a projection profile:
 * dark pixels of a downscaled copy are projected onto the y axis at candidate angles, and the angle whose row
 * histogram is most peaked (text lines sharp) wins.
 */
export function estimateSkew(grey: Uint8Array, width: number, height: number, maxDeg = 6, stepDeg = 0.5): number {
  const scale = Math.min(1, 500 / Math.max(width, height));
  const w = Math.max(1, Math.floor(width * scale));
  const h = Math.max(1, Math.floor(height * scale));
  // Text strokes, not dark areas: a pixel counts when it is much darker than the pixels beside it, so a
  // dark table around a photographed page does not swamp the profile.
  const pts: number[] = [];
  const at = (x: number, y: number): number => grey[Math.floor(y / scale) * width + Math.min(width - 1, Math.floor(x / scale))];
  for (let y = 0; y < h; y++) {
    for (let x = 2; x < w - 2; x++) {
      const v = at(x, y);
      if (at(x - 2, y) - v > 45 || at(x + 2, y) - v > 45) pts.push(x, y);
    }
  }
  if (pts.length < 200) return 0;
  const score = (deg: number): number => {
    const r = (deg * Math.PI) / 180;
    const s = Math.sin(r);
    const c = Math.cos(r);
    const bins = new Float64Array(h * 2 + w);
    const off = w;
    for (let i = 0; i < pts.length; i += 2) bins[Math.round(pts[i + 1] * c - pts[i] * s) + off]++;
    let acc = 0;
    for (let i = 1; i < bins.length; i++) acc += (bins[i] - bins[i - 1]) ** 2;
    return acc;
  };
  let best = 0;
  let bestScore = score(0);
  for (let d = -maxDeg; d <= maxDeg + 1e-9; d += stepDeg) {
    const sc = score(d);
    if (sc > bestScore * 1.02) {
      best = d;
      bestScore = sc;
    }
  }
  return best;
}

/** Rotates the page by the estimated skew when it is worth it (≥ 0.75°); white fills the corners. */
export async function deskewPage(page: RasterPage): Promise<{ page: RasterPage; angle: number }> {
  const angle = estimateSkew(page.grey, page.width, page.height);
  if (Math.abs(angle) < 0.75) return { page, angle: 0 };
  const { data, info } = await sharp(page.grey, { raw: { width: page.width, height: page.height, channels: 1 } })
    .rotate(-angle, { background: '#ffffff' })
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  const png = await sharp(data, { raw: { width: info.width, height: info.height, channels: 1 } }).png({ compressionLevel: 1 }).toBuffer();
  return { page: { width: info.width, height: info.height, grey: data, png }, angle };
}
