/**
 * Turns decoded pixels into the ViT's input: grey, letterboxed (aspect ratio kept, so a tall receipt still
 * looks tall), area-averaged down to `size`×`size`, scaled to [0,1] with mid-grey padding. Pure TypeScript so
 * training (canvas pixels) and inference (sharp pixels) share exactly the same preprocessing.
 */
export function toModelInput(
  data: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: number,
  size = 128,
): Float32Array {
  const out = new Float32Array(size * size).fill(0.5);
  const scale = Math.max(width, height) / size;
  const tw = Math.max(1, Math.round(width / scale));
  const th = Math.max(1, Math.round(height / scale));
  const ox = Math.floor((size - tw) / 2);
  const oy = Math.floor((size - th) / 2);
  for (let ty = 0; ty < th; ty++) {
    const y0 = Math.floor((ty * height) / th);
    const y1 = Math.max(y0 + 1, Math.floor(((ty + 1) * height) / th));
    for (let tx = 0; tx < tw; tx++) {
      const x0 = Math.floor((tx * width) / tw);
      const x1 = Math.max(x0 + 1, Math.floor(((tx + 1) * width) / tw));
      let sum = 0;
      let n = 0;
      // Sample at most a 4x4 grid per target pixel: plenty for 128 px and keeps big pages cheap.
      const sy = Math.max(1, Math.floor((y1 - y0) / 4));
      const sx = Math.max(1, Math.floor((x1 - x0) / 4));
      for (let y = y0; y < y1; y += sy) {
        const row = y * width;
        for (let x = x0; x < x1; x += sx) {
          const i = (row + x) * channels;
          sum += channels >= 3 ? 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2] : data[i];
          n++;
        }
      }
      out[(oy + ty) * size + ox + tx] = sum / n / 255;
    }
  }
  return out;
}

/** Cuts a size×size grey image into row-major flattened patches: the ViT's patch-token input. */
export function toPatches(img: Float32Array, size: number, patch: number): Float32Array {
  const g = size / patch;
  const out = new Float32Array(size * size);
  let k = 0;
  for (let py = 0; py < g; py++)
    for (let px = 0; px < g; px++)
      for (let y = 0; y < patch; y++) {
        const row = (py * patch + y) * size + px * patch;
        for (let x = 0; x < patch; x++) out[k++] = img[row + x];
      }
  return out;
}
