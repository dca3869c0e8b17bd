/**
 * The independent evaluation set, written from scratch (not scripts/synth): other fonts (Liberation), layouts,
 * languages (en de fr es it nl), currencies (EUR USD GBP CHF JPY), payment terms, thermal receipts, UI screenshots,
 * photos, other pages, and camera damage. Deterministic: each document comes from its own name as the seed.
 *   npx tsx scripts/synth-independent/build.ts [--out test/fixtures/perception-indep] [--count-scale 1]
 * Writes the files and manifest.json (same format as the real set, with the frozen dev/test split).
 */
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createCanvas, PDFDocument, type Canvas } from '@napi-rs/canvas';
import sharp from 'sharp';
import { ManifestSchema, SPLIT_RULE, splitOf, type ManifestEntry } from '../../bench/perception-sets/manifest.schema.ts';
import { Prng } from './prng.ts';
import { registerFonts } from './fonts.ts';
import { LANGS, type Cur, type Lang } from './locale.ts';
import { expectedOf, makeBusiness } from './business.ts';
import { drawInvoice, PAGE_H, PAGE_W, type InvoiceLayout, type Printed } from './invoice-layouts.ts';
import { drawReceipt } from './receipt-layout.ts';
import { drawScreenshot } from './screens.ts';
import { drawOther, drawPhoto } from './scenes.ts';
import { damage, type Effect } from './damage.ts';

const arg = (n: string): string | undefined => {
  const i = process.argv.indexOf(`--${n}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const OUT = arg('out') ?? 'test/fixtures/perception-indep';
const MAX_SIDE = 1600;

type Kind = 'invoice-pdf' | 'invoice-scan' | 'invoice-photo' | 'receipt-scan' | 'receipt-photo' | 'screenshot' | 'photo' | 'other';
const PLAN: [Kind, number][] = [
  ['invoice-pdf', 24],
  ['invoice-scan', 18],
  ['invoice-photo', 18],
  ['receipt-scan', 12],
  ['receipt-photo', 24],
  ['screenshot', 18],
  ['photo', 12],
  ['other', 14],
];

function currencyFor(p: Prng, lang: Lang): Cur {
  if (lang === 'en') return p.one(['USD', 'GBP', 'JPY', 'USD']);
  if (lang === 'de' || lang === 'fr' || lang === 'it') return p.yes(0.3) ? 'CHF' : 'EUR';
  return 'EUR';
}

function photoEffects(p: Prng, receipt: boolean): Effect[] {
  const pool: Effect[] = ['perspective', 'warp', 'rotate', 'shadow', 'low-light', 'blur'];
  const fx = p.some(pool, p.between(2, 4));
  if (receipt && p.yes(0.6)) fx.push('thermal-fade');
  if (p.yes(0.12)) fx.push('quarter-turn');
  return fx;
}

async function jpeg(c: Canvas, q: number, grey = false): Promise<Buffer> {
  let img = sharp(c.toBuffer('image/png')).resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true });
  if (grey) img = img.greyscale();
  return img.jpeg({ quality: q, mozjpeg: true }).toBuffer();
}

function invoicePage(draw: (ctx: ReturnType<Canvas['getContext']>) => void, scale: number): Canvas {
  const c = createCanvas(Math.round(PAGE_W * scale), Math.round(PAGE_H * scale));
  const ctx = c.getContext('2d');
  ctx.scale(scale, scale);
  draw(ctx);
  return c;
}

interface Made {
  bytes: Buffer;
  ext: string;
  entry: Omit<ManifestEntry, 'file' | 'group' | 'split' | 'source' | 'collection'>;
}

async function make(kind: Kind, p: Prng, lang: Lang): Promise<Made> {
  if (kind.startsWith('invoice')) {
    const cur = currencyFor(p, lang);
    const b = makeBusiness(p, lang, cur, 'invoice');
    const layout = p.one<InvoiceLayout>(['band', 'letter', 'grid']);
    const printed: Printed = { number: true, due: p.one(['date', 'terms', 'both'] as const), items: true };
    const draw = (ctx: ReturnType<Canvas['getContext']>): void => drawInvoice(ctx, b, new Prng(`${b.number}/${layout}`), layout, printed);
    const expected = expectedOf(b, { number: true, due: true, items: true });
    const note = `layout ${layout}, ${cur}, due shown as ${printed.due === 'terms' ? 'payment terms only (due date = issue + terms)' : printed.due}`;
    if (kind === 'invoice-pdf') {
      const doc = new PDFDocument({ title: `${b.seller} ${b.number}`, creator: 'synth-independent' });
      const ctx = doc.beginPage(595.28, 841.89);
      ctx.scale(595.28 / PAGE_W, 841.89 / PAGE_H);
      draw(ctx as unknown as ReturnType<Canvas['getContext']>);
      doc.endPage();
      return { bytes: doc.close(), ext: 'pdf', entry: { class: 'invoice', rendering: 'digital-pdf', language: lang, expected, note } };
    }
    const page = invoicePage(draw, p.real(1.15, 1.5));
    if (kind === 'invoice-scan') {
      const fx: Effect[] = ['skew', 'scan-noise', ...(p.yes(0.4) ? (['blur'] as Effect[]) : [])];
      return { bytes: await jpeg(damage(page, fx, p, false), 72, true), ext: 'jpg', entry: { class: 'invoice', rendering: 'scan', language: lang, expected, note: `${note}; ${fx.join('+')}` } };
    }
    const fx = photoEffects(p, false);
    return { bytes: await jpeg(damage(page, fx, p, true), 70), ext: 'jpg', entry: { class: 'invoice', rendering: 'phone-photo', language: lang, expected, note: `${note}; ${fx.join('+')}` } };
  }
  if (kind.startsWith('receipt')) {
    const cur = currencyFor(p, lang);
    const b = makeBusiness(p, lang, cur, 'receipt');
    const r = drawReceipt(b, p);
    const expected = { ...expectedOf(b, { number: r.printedNumber, due: false, items: true }), dueDate: null };
    const scan = kind === 'receipt-scan';
    const fx: Effect[] = scan ? ['skew', 'scan-noise', ...(p.yes(0.5) ? (['thermal-fade'] as Effect[]) : [])] : photoEffects(p, true);
    const img = damage(r.canvas, fx, p, !scan);
    return { bytes: await jpeg(img, 72, scan), ext: 'jpg', entry: { class: 'receipt', rendering: scan ? 'scan' : 'phone-photo', language: lang, expected, note: `thermal ${r.canvas.width}px, ${cur}; ${fx.join('+')}` } };
  }
  if (kind === 'screenshot') {
    const s = drawScreenshot(p, lang);
    const png = await sharp(s.canvas.toBuffer('image/png')).png({ palette: true, colours: 128, compressionLevel: 9 }).toBuffer();
    return { bytes: png, ext: 'png', entry: { class: 'screenshot', rendering: 'screenshot', language: lang, expected: null, note: `${s.kind} screen with UI chrome` } };
  }
  if (kind === 'photo') {
    const fx = p.some<Effect>(['blur', 'low-light', 'rotate', 'shadow'], p.between(0, 2));
    return { bytes: await jpeg(damage(drawPhoto(p), fx, p, false), 70), ext: 'jpg', entry: { class: 'photo', rendering: 'phone-photo', language: 'xx', expected: null, note: `photo without text${fx.length ? '; ' + fx.join('+') : ''}` } };
  }
  const o = drawOther(p, lang);
  const photographed = p.yes(0.4);
  const fx = photographed ? photoEffects(p, false) : (['skew', 'scan-noise'] as Effect[]);
  return { bytes: await jpeg(damage(o.canvas, fx, p, photographed), 72, !photographed), ext: 'jpg', entry: { class: 'other', rendering: photographed ? 'phone-photo' : 'scan', language: lang, expected: null, note: `${o.kind}; ${fx.join('+')}` } };
}

async function main(): Promise<void> {
  registerFonts();
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const docs: ManifestEntry[] = [];
  let n = 0;
  for (const [kind, count] of PLAN) {
    for (let i = 0; i < count; i++) {
      n += 1;
      const lang = LANGS[i % LANGS.length];
      const stem = `${String(n).padStart(3, '0')}-${kind}-${lang}`;
      const made = await make(kind, new Prng(`indep/${stem}`), lang);
      const file = `${stem}.${made.ext}`;
      writeFileSync(join(OUT, file), made.bytes);
      docs.push({ file, group: stem, source: `synth-independent:${stem}`, collection: `indep-${kind}`, split: splitOf(stem), ...made.entry });
      process.stderr.write('.');
    }
  }
  process.stderr.write('\n');
  const manifest = ManifestSchema.parse({
    name: 'perception-indep',
    description: 'Generated by scripts/synth-independent (written independently of scripts/synth): other fonts, layouts, languages, currencies, receipts, screenshots, photos and camera damage.',
    splitRule: SPLIT_RULE,
    docs,
  });
  writeFileSync(join(OUT, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
  console.log(`${docs.length} documents, ${docs.filter((d) => d.split === 'dev').length} dev / ${docs.filter((d) => d.split === 'test').length} test`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
