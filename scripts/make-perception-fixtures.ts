/**
 * Generates the perception evaluation set into test/fixtures/perception/ (deterministic: fixed seeds).
 *   node --expose-gc --import tsx scripts/make-perception-fixtures.ts
 * Writes images (PNG, JPEG, WebP, TIFF; clean, noisy, blurred, low-contrast, photographed, EXIF-rotated),
 * digital PDFs (text layer, same layouts), scanned PDFs (image only), multi-page PDFs, bad inputs in bad/,
 * and labels.json with the ground truth the eval script scores against.
 */
import { mkdirSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { PDFDocument, StandardFonts, rgb, type PDFFont } from 'pdf-lib';
import type { Canvas } from '@napi-rs/canvas';
import { synthesize, type SynthKind } from './synth/generate.ts';
import { recordText, type TextRun } from './synth/draw.ts';
import type { Lang } from './synth/content.ts';
import type { AugmentOptions } from './synth/augment.ts';
import { makeEncryptedPdf } from './synth/encrypted-pdf.ts';

const OUT = 'test/fixtures/perception';

type Format = 'png' | 'jpeg' | 'webp' | 'tiff' | 'jpeg-exif-rot' | 'pdf-digital' | 'pdf-scan' | 'pdf-multi' | 'pdf-scan-multi';

interface Spec {
  kind: SynthKind;
  format: Format;
  lang?: Lang;
  augment?: AugmentOptions;
  note: string;
}

export interface FixtureLabel {
  file: string;
  docType: SynthKind;
  isDocument: boolean;
  pages: number;
  lang: string | null;
  note: string;
  fields: null | {
    vendor: string;
    number: string;
    issueDate: string;
    dueDate: string | null;
    currency: string;
    subtotal: number;
    tax: number;
    total: number;
    lineItems: number;
  };
  message?: string;
}

const noisy: AugmentOptions = { noise: 12 };
const photo: AugmentOptions = { photo: true, skewDeg: -2.5, noise: 8, shadow: true };
const blur: AugmentOptions = { blur: 0.8, noise: 5 };
const lowc: AugmentOptions = { lowContrast: true, noise: 6 };
const skew: AugmentOptions = { skewDeg: 1.8, noise: 4 };

const SPECS: Spec[] = [
  // Invoices: 5 languages × several formats and degradations.
  { kind: 'invoice', format: 'png', lang: 'en', note: 'clean' },
  { kind: 'invoice', format: 'jpeg', lang: 'en', augment: noisy, note: 'noisy scan' },
  { kind: 'invoice', format: 'pdf-digital', lang: 'en', note: 'digital pdf' },
  { kind: 'invoice', format: 'jpeg', lang: 'en', augment: photo, note: 'phone photo' },
  { kind: 'invoice', format: 'webp', lang: 'en', augment: skew, note: 'skewed' },
  { kind: 'invoice', format: 'pdf-multi', lang: 'en', note: 'digital 2-page pdf' },
  { kind: 'invoice', format: 'png', lang: 'de', note: 'clean' },
  { kind: 'invoice', format: 'jpeg-exif-rot', lang: 'de', note: 'EXIF-rotated photo' },
  { kind: 'invoice', format: 'pdf-digital', lang: 'de', note: 'digital pdf' },
  { kind: 'invoice', format: 'tiff', lang: 'de', augment: blur, note: 'blurred tiff scan' },
  { kind: 'invoice', format: 'pdf-scan', lang: 'de', augment: noisy, note: 'scanned pdf' },
  { kind: 'invoice', format: 'jpeg', lang: 'de', augment: photo, note: 'phone photo' },
  { kind: 'invoice', format: 'png', lang: 'fr', note: 'clean' },
  { kind: 'invoice', format: 'pdf-digital', lang: 'fr', note: 'digital pdf' },
  { kind: 'invoice', format: 'jpeg', lang: 'fr', augment: lowc, note: 'low contrast' },
  { kind: 'invoice', format: 'pdf-scan-multi', lang: 'fr', augment: skew, note: 'scanned 2-page pdf' },
  { kind: 'invoice', format: 'png', lang: 'es', note: 'clean' },
  { kind: 'invoice', format: 'pdf-digital', lang: 'es', note: 'digital pdf' },
  { kind: 'invoice', format: 'jpeg', lang: 'es', augment: photo, note: 'phone photo' },
  { kind: 'invoice', format: 'webp', lang: 'es', augment: noisy, note: 'noisy webp' },
  { kind: 'invoice', format: 'png', lang: 'nl', note: 'clean' },
  { kind: 'invoice', format: 'pdf-digital', lang: 'nl', note: 'digital pdf' },
  { kind: 'invoice', format: 'jpeg', lang: 'nl', augment: skew, note: 'skewed scan' },
  { kind: 'invoice', format: 'pdf-multi', lang: 'de', note: 'digital 2-page pdf' },
  // Receipts.
  { kind: 'receipt', format: 'png', lang: 'en', note: 'clean' },
  { kind: 'receipt', format: 'jpeg', lang: 'en', augment: photo, note: 'phone photo' },
  { kind: 'receipt', format: 'jpeg', lang: 'de', augment: photo, note: 'phone photo' },
  { kind: 'receipt', format: 'png', lang: 'de', augment: noisy, note: 'noisy' },
  { kind: 'receipt', format: 'jpeg', lang: 'fr', augment: blur, note: 'blurred' },
  { kind: 'receipt', format: 'webp', lang: 'fr', note: 'clean webp' },
  { kind: 'receipt', format: 'jpeg', lang: 'es', augment: photo, note: 'phone photo' },
  { kind: 'receipt', format: 'tiff', lang: 'es', note: 'clean tiff' },
  { kind: 'receipt', format: 'jpeg-exif-rot', lang: 'nl', note: 'EXIF-rotated photo' },
  { kind: 'receipt', format: 'png', lang: 'nl', augment: lowc, note: 'low contrast' },
  { kind: 'receipt', format: 'pdf-scan', lang: 'en', augment: noisy, note: 'scanned pdf' },
  { kind: 'receipt', format: 'jpeg', lang: 'de', augment: skew, note: 'skewed' },
  { kind: 'receipt', format: 'pdf-digital', lang: 'fr', note: 'digital pdf receipt' },
  { kind: 'invoice', format: 'pdf-scan-multi', lang: 'es', augment: noisy, note: 'scanned 2-page pdf' },
  { kind: 'invoice', format: 'jpeg', lang: 'en', augment: blur, note: 'blurred' },
  { kind: 'invoice', format: 'png', lang: 'fr', augment: skew, note: 'skewed' },
  // Screenshots.
  ...Array.from({ length: 10 }, (_, i): Spec => ({ kind: 'screenshot', format: i % 4 === 3 ? 'jpeg' : i % 5 === 4 ? 'webp' : 'png', note: 'ui screenshot' })),
  // Photos.
  ...Array.from({ length: 9 }, (_, i): Spec => ({ kind: 'photo', format: i % 3 === 2 ? 'webp' : 'jpeg', note: 'photo' })),
  // Other pages.
  ...Array.from({ length: 7 }, (_, i): Spec => ({ kind: 'other', format: i === 2 ? 'pdf-digital' : i === 4 ? 'jpeg' : 'png', augment: i === 4 ? noisy : undefined, note: 'letter/form/blank-ish' })),
];

async function encode(canvas: Canvas, format: Format): Promise<Buffer> {
  const png = canvas.toBuffer('image/png');
  const img = sharp(png).flatten({ background: '#ffffff' });
  switch (format) {
    case 'png':
      return img.png({ compressionLevel: 9, palette: true, colours: 64 }).toBuffer();
    case 'jpeg':
      return img.jpeg({ quality: 80 }).toBuffer();
    case 'webp':
      return img.webp({ quality: 80 }).toBuffer();
    case 'tiff':
      return img.greyscale().tiff({ compression: 'lzw' }).toBuffer();
    case 'jpeg-exif-rot':
      // Pixels stored rotated 90° counter-clockwise with EXIF orientation 6 ("rotate 90° CW to view").
      return sharp(await img.rotate(270).jpeg({ quality: 80 }).toBuffer()).withMetadata({ orientation: 6 }).jpeg({ quality: 80 }).toBuffer();
    default:
      throw new Error(`not an image format: ${format}`);
  }
}

async function fonts(pdf: PDFDocument): Promise<Record<string, PDFFont>> {
  return {
    sans: await pdf.embedFont(StandardFonts.Helvetica),
    sansB: await pdf.embedFont(StandardFonts.HelveticaBold),
    serif: await pdf.embedFont(StandardFonts.TimesRoman),
    serifB: await pdf.embedFont(StandardFonts.TimesRomanBold),
    mono: await pdf.embedFont(StandardFonts.Courier),
    monoB: await pdf.embedFont(StandardFonts.CourierBold),
  };
}

/** Replays recorded text runs (page units 1000 wide) onto an A4 pdf-lib page. */
async function addTextPage(pdf: PDFDocument, runs: TextRun[], unitsW: number, unitsH: number): Promise<void> {
  const f = await fonts(pdf);
  const page = pdf.addPage([595.28, 595.28 * (unitsH / unitsW)]);
  const k = 595.28 / unitsW;
  const H = page.getHeight();
  for (const r of runs) {
    const font = r.mono ? (r.bold ? f.monoB : f.mono) : r.serif ? (r.bold ? f.serifB : f.serif) : r.bold ? f.sansB : f.sans;
    const s = r.s.replace(/[^\x20-\x7e\u00a0-\u00ff€]/g, '-');
    const size = r.size * k;
    const w = font.widthOfTextAtSize(s, size);
    const x = r.align === 'right' ? r.x * k - w : r.align === 'center' ? r.x * k - w / 2 : r.x * k;
    page.drawText(s, { x, y: H - r.y * k, size, font, color: rgb(0.1, 0.1, 0.1) });
  }
}

async function addImagePage(pdf: PDFDocument, canvas: Canvas): Promise<void> {
  const jpg = await sharp(canvas.toBuffer('image/png')).flatten({ background: '#ffffff' }).greyscale().jpeg({ quality: 75 }).toBuffer();
  const img = await pdf.embedJpg(jpg);
  const w = 595.28;
  const h = (w * canvas.height) / canvas.width;
  pdf.addPage([w, h]).drawImage(img, { x: 0, y: 0, width: w, height: h });
}

async function main(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(join(OUT, 'bad'), { recursive: true });
  const labels: FixtureLabel[] = [];
  let i = 0;
  for (const spec of SPECS) {
    const seed = 424_242 + i * 104_729;
    const name = `${String(i + 1).padStart(2, '0')}-${spec.kind}-${spec.lang ?? 'xx'}-${spec.format}`;
    const rec = recordText(() => synthesize(spec.kind, seed, { lang: spec.lang, augment: spec.format.startsWith('pdf-digital') || spec.format === 'pdf-multi' ? {} : spec.augment }));
    const doc = rec.value;
    let file: string;
    let pages = 1;
    if (spec.format.startsWith('pdf')) {
      const pdf = await PDFDocument.create();
      pdf.setTitle(name);
      pdf.setCreationDate(new Date(Date.UTC(2026, 0, 1)));
      pdf.setModificationDate(new Date(Date.UTC(2026, 0, 1)));
      const W = doc.kind === 'receipt' ? doc.canvas.width : 1000;
      if (spec.format === 'pdf-digital' || spec.format === 'pdf-multi') await addTextPage(pdf, rec.runs, W, (doc.canvas.height / doc.canvas.width) * W);
      else await addImagePage(pdf, doc.canvas);
      if (spec.format === 'pdf-multi' || spec.format === 'pdf-scan-multi') {
        // Page two is always a text page (a letter / terms), as in real multi-page invoices.
        const extra = recordText(() => synthesize('other', seed + 1, { otherKind: 0, augment: spec.format === 'pdf-scan-multi' ? spec.augment : {} }));
        if (spec.format === 'pdf-multi') await addTextPage(pdf, extra.runs, 1000, (extra.value.canvas.height / extra.value.canvas.width) * 1000);
        else await addImagePage(pdf, extra.value.canvas);
        pages = 2;
      }
      file = `${name}.pdf`;
      writeFileSync(join(OUT, file), await pdf.save({ useObjectStreams: false }));
    } else {
      const ext = spec.format === 'jpeg-exif-rot' ? 'jpg' : spec.format === 'jpeg' ? 'jpg' : spec.format === 'tiff' ? 'tif' : spec.format;
      file = `${name}.${ext}`;
      writeFileSync(join(OUT, file), await encode(doc.canvas, spec.format));
    }
    const d = doc.data;
    labels.push({
      file,
      docType: spec.kind,
      isDocument: spec.kind !== 'photo',
      pages,
      lang: d?.lang ?? null,
      note: spec.note,
      fields: d
        ? { vendor: d.vendor, number: d.number, issueDate: d.issueDate, dueDate: d.dueDate ?? null, currency: d.currency, subtotal: d.subtotal, tax: d.tax, total: d.total, lineItems: d.items.length }
        : null,
      ...(doc.screen ? { message: doc.screen.message } : {}),
    });
    i++;
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((r) => setImmediate(r));
  }
  // A blank page photo: "not a document".
  const blank = await sharp({ create: { width: 900, height: 1200, channels: 3, background: '#f4f2ee' } }).jpeg({ quality: 85 }).toBuffer();
  writeFileSync(join(OUT, 'bad', 'blank.jpg'), blank);
  await writeBadInputs();
  writeFileSync(join(OUT, 'labels.json'), `${JSON.stringify(labels, null, 1)}\n`);
  const total = readdirSync(OUT).reduce((s, f) => s + (statSync(join(OUT, f)).isFile() ? statSync(join(OUT, f)).size : 0), 0);
  console.log(`${labels.length} documents, ${(total / 1024 / 1024).toFixed(2)} MB in ${OUT}`);
}

/** Bad inputs for the error-path tests. The oversized file is made by the tests themselves. */
async function writeBadInputs(): Promise<void> {
  const bad = join(OUT, 'bad');
  writeFileSync(join(bad, 'empty.pdf'), Buffer.alloc(0));
  const fixed = new Date(Date.UTC(2026, 0, 1));
  const good = await PDFDocument.create();
  good.setCreationDate(fixed);
  good.setModificationDate(fixed);
  good.addPage([300, 300]).drawText('Invoice 1', { x: 20, y: 200, size: 20 });
  const bytes = Buffer.from(await good.save({ useObjectStreams: false }));
  writeFileSync(join(bad, 'truncated.pdf'), bytes.subarray(0, Math.floor(bytes.length * 0.35)));
  writeFileSync(join(bad, 'garbage.pdf'), Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from(Array.from({ length: 2000 }, (_, k) => (k * 37) % 256))]));
  const jpg = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#888888' } }).jpeg().toBuffer();
  writeFileSync(join(bad, 'truncated.jpg'), jpg.subarray(0, 300));
  writeFileSync(join(bad, 'encrypted.pdf'), makeEncryptedPdf('s3cret', 'owner-pw', 'Invoice 2026-0042 Total 100.00 EUR'));
  writeFileSync(join(bad, 'animation.gif'), Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64'));
  writeFileSync(join(bad, 'notes.txt'), 'Invoice 42\nTotal 100.00 EUR\n');
  const many = await PDFDocument.create();
  many.setCreationDate(fixed);
  many.setModificationDate(fixed);
  const font = await many.embedFont(StandardFonts.Helvetica);
  for (let p = 0; p < 200; p++) many.addPage([200, 200]).drawText(`Page ${p + 1}`, { x: 20, y: 100, size: 12, font });
  writeFileSync(join(bad, 'many-pages-200.pdf'), await many.save());
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
