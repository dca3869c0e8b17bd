import { describe, expect, it } from 'vitest';
import { findPageQuad, homography, rectify, type Point } from '../../perception/intake/rectify.ts';
import { flattenIllumination } from '../../perception/intake/illumination.ts';
import { rasterFromGrey } from '../../perception/intake/image.ts';

/** Synthetic phone photos: a white page seen at an angle on a dark table, with dark "text" bars on it. */
const W = 800;
const H = 1000;
function inside(p: Point, poly: Point[]): boolean {
  let c = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}
function photo(corners: Point[], shadow = false): Buffer {
  const g = Buffer.alloc(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const onPage = inside([x, y], corners);
      let v = onPage ? 235 : 55 + ((x * 31 + y * 17) % 20);
      // Text bars every 40 px in the middle of the page.
      if (onPage && y % 40 < 8 && x > 250 && x < 520 && y > 250 && y < 800) v = 30;
      // A shadow across the lower half.
      if (shadow && onPage && y > 500) v = Math.round(v * 0.55);
      g[y * W + x] = v;
    }
  }
  return g;
}

describe('phone-photo intake', () => {
  const corners: Point[] = [[150, 120], [640, 170], [610, 900], [120, 860]];

  it('finds the corners of a page photographed at an angle', () => {
    const q = findPageQuad(photo(corners), W, H)!;
    expect(q).not.toBeNull();
    const got = [q.tl, q.tr, q.br, q.bl];
    got.forEach((p, i) => {
      expect(Math.abs(p[0] - corners[i][0])).toBeLessThan(15);
      expect(Math.abs(p[1] - corners[i][1])).toBeLessThan(15);
    });
  });

  it('warps the page to an upright rectangle of paper', async () => {
    const grey = photo(corners);
    const page = await rasterFromGrey(grey, W, H);
    const out = await rectify(page, findPageQuad(grey, W, H)!);
    expect(out.width / out.height).toBeGreaterThan(0.6);
    expect(out.width / out.height).toBeLessThan(0.75);
    // The dark table is gone: the corners of the output are paper.
    for (const [x, y] of [[3, 3], [out.width - 4, 3], [3, out.height - 4], [out.width - 4, out.height - 4]]) expect(out.grey[y * out.width + x]).toBeGreaterThan(180);
  });

  it('finds a white receipt on grey cardboard next to a dark scanner margin, and scales its small print up', async () => {
    const g = Buffer.alloc(W * H);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let v = x < 60 ? 30 : 185 + ((x * 13 + y * 7) % 9);
        if (x >= 500 && x < 760 && y < 700) v = y % 30 < 5 && x > 520 && x < 740 ? 40 : 250;
        g[y * W + x] = v;
      }
    }
    const q = findPageQuad(g, W, H)!;
    expect(q).not.toBeNull();
    expect(Math.abs(q.tl[0] - 500)).toBeLessThan(15);
    expect(Math.abs(q.br[0] - 760)).toBeLessThan(15);
    expect(Math.abs(q.br[1] - 700)).toBeLessThan(15);
    const out = await rectify(await rasterFromGrey(g, W, H), q, 1800);
    expect(out.height).toBeGreaterThan(1200);
  });

  it('leaves a page that already fills the frame (a scan) alone', () => {
    expect(findPageQuad(photo([[0, 0], [W, 0], [W, H], [0, H]]), W, H)).toBeNull();
  });

  it('solves a homography that maps the four points', () => {
    const from: Point[] = [[0, 0], [100, 0], [100, 200], [0, 200]];
    const m = homography(from, corners);
    from.forEach(([x, y], i) => {
      const z = m[6] * x + m[7] * y + 1;
      expect((m[0] * x + m[1] * y + m[2]) / z).toBeCloseTo(corners[i][0], 6);
      expect((m[3] * x + m[4] * y + m[5]) / z).toBeCloseTo(corners[i][1], 6);
    });
  });

  it('evens out a shadow so paper is white and text stays dark on both sides of it', async () => {
    const grey = photo([[0, 0], [W, 0], [W, H], [0, H]], true);
    const flat = await flattenIllumination(await rasterFromGrey(grey, W, H));
    const at = (x: number, y: number): number => flat.grey[y * W + x];
    expect(grey[700 * W + 100]).toBeLessThan(140);
    expect(at(100, 300)).toBeGreaterThan(230);
    expect(at(100, 700)).toBeGreaterThan(230);
    expect(at(300, 282)).toBeLessThan(60);
    expect(at(300, 722)).toBeLessThan(60);
  });
});
