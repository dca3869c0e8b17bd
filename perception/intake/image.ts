import sharp from 'sharp';
import { PerceptionError } from '../errors.ts';

/** A page as decoded pixels (grey, 1 channel) plus a PNG of the same pixels for OCR. */
export interface RasterPage {
  width: number;
  height: number;
  grey: Buffer;
  png: Buffer;
}

export interface ImageLimits {
  maxInputPixels: number;
  maxSide: number;
  maxPages: number;
}

/** Number of frames (multi-page TIFF/WebP) without decoding pixels; throws `corrupt` on unreadable headers. */
export async function imagePageCount(bytes: Buffer, limits: ImageLimits): Promise<number> {
  try {
    const meta = await sharp(bytes, { limitInputPixels: limits.maxInputPixels }).metadata();
    if (!meta.width || !meta.height) throw new Error('no dimensions');
    if (meta.width * meta.height > limits.maxInputPixels) throw tooBig(meta.width, meta.height, limits);
    return meta.pages ?? 1;
  } catch (e) {
    throw asImageError(e, limits);
  }
}

/**
 * Decodes one page: applies EXIF orientation (phone photos), flattens alpha onto white, converts to grey and
 * bounds the size (`maxSide`) so OCR time and memory stay predictable. Small images are upscaled a little,
 * since Tesseract reads poorly below ~20 px text height.
 */
export async function normaliseImagePage(bytes: Buffer, page: number, limits: ImageLimits): Promise<RasterPage> {
  try {
    const base = sharp(bytes, { limitInputPixels: limits.maxInputPixels, page, failOn: 'error' }).rotate();
    const meta = await sharp(bytes, { limitInputPixels: limits.maxInputPixels, page }).metadata();
    const long = Math.max(meta.width ?? 0, meta.height ?? 0);
    const target = long > limits.maxSide ? limits.maxSide : long < 900 ? Math.min(1200, long * 2) : long;
    const pipe = base.flatten({ background: '#ffffff' }).greyscale();
    const resized = target !== long ? pipe.resize({ width: target, height: target, fit: 'inside', kernel: 'lanczos3' }) : pipe;
    const { data, info } = await resized.raw().toBuffer({ resolveWithObject: true });
    const grey = info.channels === 1 ? data : toGrey(data, info.channels);
    const png = await sharp(grey, { raw: { width: info.width, height: info.height, channels: 1 } }).png({ compressionLevel: 1 }).toBuffer();
    return { width: info.width, height: info.height, grey, png };
  } catch (e) {
    throw asImageError(e, limits);
  }
}

/** Greyscale raw pixels → page (used for PDF renders) with a PNG for OCR. */
export async function rasterFromGrey(grey: Buffer, width: number, height: number): Promise<RasterPage> {
  const png = await sharp(grey, { raw: { width, height, channels: 1 } }).png({ compressionLevel: 1 }).toBuffer();
  return { width, height, grey, png };
}

function toGrey(data: Buffer, channels: number): Buffer {
  const n = data.length / channels;
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = data[i * channels];
  return out;
}

function tooBig(w: number, h: number, limits: ImageLimits): PerceptionError {
  return new PerceptionError(
    'too_large',
    `The image is ${w}×${h} pixels, more than the ${Math.round(limits.maxInputPixels / 1e6)} megapixels I process. Send a smaller photo or a screenshot.`,
  );
}

function asImageError(e: unknown, limits: ImageLimits): PerceptionError {
  if (e instanceof PerceptionError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  if (/pixel limit/i.test(msg))
    return new PerceptionError('too_large', `The image has more than ${Math.round(limits.maxInputPixels / 1e6)} megapixels. Send a smaller photo or a screenshot.`, { cause: e });
  return new PerceptionError('corrupt', 'The image could not be read: it looks damaged or incomplete. Please export or take it again.', { cause: e });
}
