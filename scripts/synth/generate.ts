import type { Canvas } from '@napi-rs/canvas';
import { Rng } from './rng.ts';
import { makeInvoiceData, type InvoiceData, type Lang } from './content.ts';
import { renderInvoice } from './render-invoice.ts';
import { renderReceipt } from './render-receipt.ts';
import { renderScreenshot, type ScreenLabel } from './render-screen.ts';
import { renderOther, renderPhoto } from './render-misc.ts';
import { augment, type AugmentOptions } from './augment.ts';

export type SynthKind = 'invoice' | 'receipt' | 'screenshot' | 'photo' | 'other';

export interface SynthDoc {
  kind: SynthKind;
  canvas: Canvas;
  data?: InvoiceData;
  screen?: ScreenLabel;
  augment: AugmentOptions;
}

/** Renders one synthetic document of `kind` from `seed`; `degrade` picks scan/photo artefacts at random. */
export function synthesize(kind: SynthKind, seed: number, opts: { scale?: number; degrade?: boolean; lang?: Lang; augment?: AugmentOptions; otherKind?: number } = {}): SynthDoc {
  const rng = new Rng(seed);
  const scale = opts.scale ?? 1;
  let canvas: Canvas;
  let data: InvoiceData | undefined;
  let screen: ScreenLabel | undefined;
  if (kind === 'invoice' || kind === 'receipt') {
    data = makeInvoiceData(rng, kind, opts.lang);
    canvas = kind === 'invoice' ? renderInvoice(data, rng, scale) : renderReceipt(data, rng, scale);
  } else if (kind === 'screenshot') {
    const r = renderScreenshot(rng, scale);
    canvas = r.canvas;
    screen = r.label;
  } else if (kind === 'photo') canvas = renderPhoto(rng, scale);
  else canvas = renderOther(rng, scale, opts.otherKind);
  let aug: AugmentOptions = opts.augment ?? {};
  if (!opts.augment && opts.degrade && kind !== 'photo') {
    const photo = kind !== 'screenshot' && rng.chance(0.35);
    aug = {
      photo,
      skewDeg: kind === 'screenshot' ? 0 : rng.chance(0.5) ? rng.range(-3, 3) : 0,
      noise: rng.chance(0.5) ? rng.range(4, 18) : 0,
      blur: rng.chance(0.3) ? rng.range(0.3, 1.0) * scale : 0,
      shadow: photo && rng.chance(0.6),
      lowContrast: rng.chance(0.2),
    };
  }
  if (Object.values(aug).some((v) => v)) canvas = augment(canvas, rng, aug);
  return { kind, canvas, data, screen, augment: aug };
}
