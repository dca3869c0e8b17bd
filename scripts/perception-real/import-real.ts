/**
 * Builds test/fixtures/perception-real/ from local mirrors of public repositories (only data files are copied:
 * PDFs, images, and our normalised expected values in manifest.json). Deterministic: the same mirrors give the
 * same files and manifest.
 *   npx tsx scripts/perception-real/import-real.ts --mirrors /work/.mirror [--only sroie]
 * Images over 700 kB with a long side over 1600 px are downscaled (sharp, JPEG q85 / PNG) to keep the set small.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import sharp from 'sharp';
import { ManifestSchema, SPLIT_RULE, splitOf, unknownExpected, type ManifestEntry } from '../../bench/perception-sets/manifest.schema.ts';
import { INVOICE2DATA, softmaticName, sroieDate, sroieTotal, sroieVendor } from './sources.ts';
import { zugferdEntries } from './zugferd.ts';

export const OUT = 'test/fixtures/perception-real';
const MAX_SIDE = 1600;
/** Smaller files are kept as published even when tall (a narrow receipt loses its small print when shrunk). */
const MAX_BYTES_UNSCALED = 700_000;

const arg = (n: string): string | undefined => {
  const i = process.argv.indexOf(`--${n}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};

export function gitShow(mirror: string, path: string): Buffer {
  return execFileSync('git', ['--git-dir', mirror, 'show', `HEAD:${path}`], { maxBuffer: 64 << 20 });
}
function gitList(mirror: string, under: string): string[] {
  return execFileSync('git', ['--git-dir', mirror, 'ls-tree', '-r', '--name-only', 'HEAD', under]).toString().split('\n').filter(Boolean);
}

/** Copies one file into OUT/<collection>/, downscaling big raster images; returns the path relative to OUT. */
export async function store(collection: string, name: string, bytes: Buffer): Promise<{ file: string; note: string }> {
  const rel = join(collection, name);
  mkdirSync(join(OUT, collection), { recursive: true });
  const ext = extname(name).toLowerCase();
  if (ext === '.pdf') {
    writeFileSync(join(OUT, rel), bytes);
    return { file: rel, note: '' };
  }
  const meta = await sharp(bytes).metadata();
  const long = Math.max(meta.width ?? 0, meta.height ?? 0);
  if (long <= MAX_SIDE || bytes.length <= MAX_BYTES_UNSCALED) {
    writeFileSync(join(OUT, rel), bytes);
    return { file: rel, note: '' };
  }
  const img = sharp(bytes).rotate().resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside' });
  writeFileSync(join(OUT, rel), ext === '.png' ? await img.png({ compressionLevel: 9 }).toBuffer() : await img.jpeg({ quality: 85 }).toBuffer());
  return { file: rel, note: `downscaled from ${meta.width}x${meta.height} to a long side of ${MAX_SIDE} px` };
}

const joinNotes = (...n: (string | undefined)[]): string => n.filter(Boolean).join('; ');

async function invoice2data(mirrors: string): Promise<ManifestEntry[]> {
  const mirror = join(mirrors, 'invoice-x+invoice2data/repo');
  const out: ManifestEntry[] = [];
  for (const d of INVOICE2DATA) {
    const s = await store('invoice2data', basename(d.path), gitShow(mirror, d.path));
    const group = `invoice2data/${basename(d.path, extname(d.path))}`;
    out.push({ file: s.file, group, source: `invoice-x/invoice2data:${d.path}`, collection: 'invoice2data', split: splitOf(group), class: d.class, rendering: d.rendering, language: d.language, expected: d.expected, note: joinNotes(d.note, s.note) });
  }
  return out;
}

/** Every 14th receipt of zzzDavid/ICDAR-2019-SROIE data/ (45 scans), key fields from data/key/<id>.json. */
async function sroie(mirrors: string): Promise<ManifestEntry[]> {
  const mirror = join(mirrors, 'zzzDavid+ICDAR-2019-SROIE/repo');
  const keys = gitList(mirror, 'data/key').filter((_, i) => i % 14 === 0).slice(0, 45);
  const out: ManifestEntry[] = [];
  for (const k of keys) {
    const id = basename(k, '.json');
    const key = JSON.parse(gitShow(mirror, k).toString()) as { company: string; date: string; total: string };
    const s = await store('sroie', `sroie-${id}.jpg`, gitShow(mirror, `data/img/${id}.jpg`));
    const group = `sroie/${id}`;
    out.push({
      file: s.file, group, source: `zzzDavid/ICDAR-2019-SROIE:data/img/${id}.jpg`, collection: 'sroie', split: splitOf(group), class: 'receipt', rendering: 'scan', language: 'en',
      expected: unknownExpected({ vendor: sroieVendor(key.company, id), issueDate: sroieDate(key.date), total: sroieTotal(key.total), consistent: true }),
      note: joinNotes('SROIE labels company, date, total only (currency MYR is not labelled, so not scored); consistent assumed (till receipt, not re-added by hand)', s.note),
    });
  }
  return out;
}

/** softmatic/vision-data: every other cropped receipt (A) and all whole-bed scans (B, C) with an image. */
async function softmatic(mirrors: string): Promise<ManifestEntry[]> {
  const mirror = join(mirrors, 'softmatic+vision-data/repo');
  const images = gitList(mirror, '2D/Receipts').filter((p) => p.endsWith('.jpg'));
  const picked = [...images.filter((p) => p.includes('/A/')).filter((_, i) => i % 2 === 0), ...images.filter((p) => !p.includes('/A/'))];
  const out: ManifestEntry[] = [];
  for (const p of picked) {
    const stem = basename(p, '.jpg');
    const sub = p.split('/').at(-2)!;
    const v = softmaticName(stem);
    const s = await store('softmatic', `${sub}-${stem}.jpg`, gitShow(mirror, p));
    const group = `softmatic/${stem.replace(/_B$/, '')}`;
    out.push({
      file: s.file, group, source: `softmatic/vision-data:${p}`, collection: 'softmatic', split: splitOf(group), class: 'receipt', rendering: 'scan', language: 'de',
      expected: unknownExpected({ vendor: v.vendor, issueDate: v.issueDate, total: v.total, currency: 'EUR', consistent: true }),
      note: joinNotes(
        sub === 'A' ? '300 dpi scan, cropped' : '300 dpi scan of the whole scanner bed',
        'date and total from the file name; currency EUR (German receipts, most print EUR); consistent assumed (till receipt)',
        s.note,
      ),
    });
  }
  return out;
}

async function main(): Promise<void> {
  const mirrors = arg('mirrors') ?? '/work/.mirror';
  const only = arg('only');
  const manifestPath = join(OUT, 'manifest.json');
  const prior = existsSync(manifestPath) ? ManifestSchema.parse(JSON.parse(readFileSync(manifestPath, 'utf8'))).docs : [];
  const builders: Record<string, (m: string) => Promise<ManifestEntry[]>> = { invoice2data, sroie, softmatic, zugferd: (m) => zugferdEntries(m, store, gitShow) };
  let docs = prior;
  for (const [name, build] of Object.entries(builders)) {
    if (only && only !== name) continue;
    const fresh = await build(mirrors);
    docs = [...docs.filter((d) => d.collection !== name), ...fresh];
    console.log(`${name}: ${fresh.length} documents (${fresh.filter((d) => d.split === 'dev').length} dev)`);
  }
  docs.sort((a, b) => a.file.localeCompare(b.file));
  const manifest = ManifestSchema.parse({
    name: 'perception-real',
    description: 'Real invoices and receipts from public repositories with their published ground truth, normalised by hand (see SOURCES.md).',
    splitRule: SPLIT_RULE,
    docs,
  });
  mkdirSync(dirname(manifestPath), { recursive: true });
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 1) + '\n');
  console.log(`manifest: ${docs.length} documents, ${docs.filter((d) => d.split === 'dev').length} dev / ${docs.filter((d) => d.split === 'test').length} test`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
