import sharp from 'sharp';
import type { RasterPage } from './image.ts';

/**
 * Perspective correction for phone photos of a page or receipt lying on a darker surface. On a small copy the
 * paper is the largest bright connected region (Otsu threshold); its four corners are the extremes of x+y and
 * x−y. When that region is a plausible quadrilateral that does not already fill the frame, the page is warped
 * to an upright rectangle with a homography (bilinear sampling), so text lines are straight and evenly sized.
 */
export type Point = [number, number];

export interface Quad {
  tl: Point;
  tr: Point;
  br: Point;
  bl: Point;
}

const SMALL = 320;

/** The page's corners in full-resolution pixels, or null when there is no clear page edge to correct. */
export function findPageQuad(grey: Uint8Array, width: number, height: number): Quad | null {
  const k = Math.min(1, SMALL / Math.max(width, height));
  const w = Math.max(8, Math.round(width * k));
  const h = Math.max(8, Math.round(height * k));
  const small = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) small[y * w + x] = grey[Math.min(height - 1, Math.floor(y / k)) * width + Math.min(width - 1, Math.floor(x / k))];
  // Paper is the brightest thing in the frame: try Otsu's threshold, then Otsu again among the brighter pixels
  // (white receipt on grey cardboard next to a dark scanner margin).
  const t1 = otsu(small);
  const brighter = small.filter((v) => v > t1);
  const ts = brighter.length > 100 ? [t1, otsu(brighter)] : [t1];
  let quad: Quad | null = null;
  for (const t of ts) {
    quad = quadAbove(small, w, h, t);
    if (quad) break;
  }
  if (!quad) return null;
  const s = 1 / k;
  const up = (p: Point): Point => [p[0] * s, p[1] * s];
  return { tl: up(quad.tl), tr: up(quad.tr), br: up(quad.br), bl: up(quad.bl) };
}

function quadAbove(small: Uint8Array, w: number, h: number, t: number): Quad | null {
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < mask.length; i++) mask[i] = small[i] > t ? 1 : 0;
  const comp = largestComponent(mask, w, h);
  if (!comp) return null;
  const frac = comp.count / (w * h);
  if (frac < 0.05 || frac > 0.9) return null;
  let tl = comp.pts[0];
  let tr = tl;
  let br = tl;
  let bl = tl;
  for (const p of comp.pts) {
    if (p[0] + p[1] < tl[0] + tl[1]) tl = p;
    if (p[0] + p[1] > br[0] + br[1]) br = p;
    if (p[0] - p[1] > tr[0] - tr[1]) tr = p;
    if (p[0] - p[1] < bl[0] - bl[1]) bl = p;
  }
  // The region must be quadrilateral: the quad covers most of it and is convex.
  const qa = polygonArea([tl, tr, br, bl]);
  if (qa < comp.count * 0.85 || qa > comp.count * 1.2 || !convex([tl, tr, br, bl])) return null;
  // Touching three or four edges of the frame, it is the background (cardboard, the scanner bed), not a page.
  const mx = w * 0.02;
  const my = h * 0.02;
  const pts = [tl, tr, br, bl];
  const edges = [pts.some((p) => p[0] <= mx), pts.some((p) => p[0] >= w - 1 - mx), pts.some((p) => p[1] <= my), pts.some((p) => p[1] >= h - 1 - my)].filter(Boolean).length;
  if (edges >= 3) return null;
  return { tl, tr, br, bl };
}

/** Warps the quad of `page` to an upright rectangle, its long side scaled towards `maxSide`. */
export async function rectify(page: RasterPage, quad: Quad, maxSide = 1800): Promise<RasterPage> {
  const d = (a: Point, b: Point): number => Math.hypot(a[0] - b[0], a[1] - b[1]);
  let W = Math.max(d(quad.tl, quad.tr), d(quad.bl, quad.br));
  let H = Math.max(d(quad.tl, quad.bl), d(quad.tr, quad.br));
  // A receipt that fills a fifth of the frame has tiny print: scale it up (at most 2.5×) towards maxSide.
  const k = Math.min(2.5, maxSide / Math.max(W, H));
  W = Math.max(16, Math.round(W * k));
  H = Math.max(16, Math.round(H * k));
  const m = homography([[0, 0], [W - 1, 0], [W - 1, H - 1], [0, H - 1]], [quad.tl, quad.tr, quad.br, quad.bl]);
  const out = Buffer.alloc(W * H);
  const { grey, width, height } = page;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const z = m[6] * x + m[7] * y + 1;
      const sx = (m[0] * x + m[1] * y + m[2]) / z;
      const sy = (m[3] * x + m[4] * y + m[5]) / z;
      const x0 = Math.max(0, Math.min(width - 2, Math.floor(sx)));
      const y0 = Math.max(0, Math.min(height - 2, Math.floor(sy)));
      const fx = Math.max(0, Math.min(1, sx - x0));
      const fy = Math.max(0, Math.min(1, sy - y0));
      const i = y0 * width + x0;
      const top = grey[i] * (1 - fx) + grey[i + 1] * fx;
      const bot = grey[i + width] * (1 - fx) + grey[i + width + 1] * fx;
      out[y * W + x] = Math.round(top * (1 - fy) + bot * fy);
    }
  }
  const png = await sharp(out, { raw: { width: W, height: H, channels: 1 } }).png({ compressionLevel: 1 }).toBuffer();
  return { width: W, height: H, grey: out, png };
}

function otsu(a: Uint8Array): number {
  const hist = new Float64Array(256);
  for (const v of a) hist[v]++;
  const n = a.length;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * hist[i];
  let sumB = 0;
  let wB = 0;
  let best = 0;
  let t = 127;
  for (let i = 0; i < 256; i++) {
    wB += hist[i];
    if (!wB || wB === n) continue;
    sumB += i * hist[i];
    const mB = sumB / wB;
    const mF = (sum - sumB) / (n - wB);
    const between = wB * (n - wB) * (mB - mF) ** 2;
    if (between > best) {
      best = between;
      t = i;
    }
  }
  return t;
}

function largestComponent(mask: Uint8Array, w: number, h: number): { count: number; pts: Point[] } | null {
  const seen = new Uint8Array(mask.length);
  let best: Point[] | null = null;
  const stack: number[] = [];
  for (let s = 0; s < mask.length; s++) {
    if (!mask[s] || seen[s]) continue;
    const pts: Point[] = [];
    stack.push(s);
    seen[s] = 1;
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % w;
      const y = (i - x) / w;
      pts.push([x, y]);
      for (const j of [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, y > 0 ? i - w : -1, y < h - 1 ? i + w : -1]) {
        if (j >= 0 && mask[j] && !seen[j]) {
          seen[j] = 1;
          stack.push(j);
        }
      }
    }
    if (!best || pts.length > best.length) best = pts;
  }
  return best ? { count: best.length, pts: best } : null;
}

function polygonArea(p: Point[]): number {
  let a = 0;
  for (let i = 0; i < p.length; i++) {
    const [x1, y1] = p[i];
    const [x2, y2] = p[(i + 1) % p.length];
    a += x1 * y2 - x2 * y1;
  }
  return Math.abs(a) / 2;
}

function convex(p: Point[]): boolean {
  let sign = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i];
    const b = p[(i + 1) % p.length];
    const c = p[(i + 2) % p.length];
    const cross = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]);
    if (Math.abs(cross) < 1e-9) return false;
    if (sign && Math.sign(cross) !== sign) return false;
    sign = Math.sign(cross);
  }
  return true;
}

/** 3×3 homography (h33 = 1) mapping each `from` point to the matching `to` point: a 4-point solve. */
export function homography(from: Point[], to: Point[]): number[] {
  const A: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i];
    const [u, v] = to[i];
    A.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    A.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  // Gaussian elimination with partial pivoting on the 8×9 augmented matrix.
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
    [A[c], A[p]] = [A[p], A[c]];
    for (let r = 0; r < 8; r++) {
      if (r === c || !A[c][c]) continue;
      const f = A[r][c] / A[c][c];
      for (let k = c; k < 9; k++) A[r][k] -= f * A[c][k];
    }
  }
  return A.map((row, i) => row[8] / row[i]);
}
