import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createPerception, PerceptionResultSchema } from '../../perception/index.ts';

/**
 * End to end on a representative subset of the evaluation set (the full 66-document run is
 * bench/perception-eval.ts): an OCR'd invoice photo-quality image, a digital PDF read from its text layer,
 * a two-page PDF, a receipt and a screenshot. Ground truth comes from labels.json.
 */
const DIR = 'test/fixtures/perception';
const labels = JSON.parse(readFileSync(join(DIR, 'labels.json'), 'utf8')) as { file: string; docType: string; fields: Record<string, unknown> | null; message?: string }[];
const label = (prefix: string) => labels.find((l) => l.file.startsWith(prefix))!;
const perception = createPerception({ ocrWorkers: 1 });
afterAll(() => perception.close());

function expectFields(r: Awaited<ReturnType<typeof perception.perceive>>, want: Record<string, unknown>): void {
  const inv = r.invoice!;
  expect(inv).not.toBeNull();
  expect(inv.vendor.value?.toLowerCase()).toBe(String(want.vendor).toLowerCase());
  expect(inv.number.value).toBe(want.number);
  expect(inv.issueDate.value).toBe(want.issueDate);
  expect(inv.currency.value).toBe(want.currency);
  expect(inv.total.value).toBe(want.total);
}

describe('perception pipeline end to end', () => {
  it('reads an invoice image through OCR, with word boxes, progress and a valid result', async () => {
    const l = label('01-');
    const stages: string[] = [];
    const r = await perception.perceive({ path: join(DIR, l.file) }, { onProgress: (p) => stages.push(p.stage) });
    expect(PerceptionResultSchema.parse(r)).toBeTruthy();
    expect(r.docType.value).toBe('invoice');
    expect(r.pages[0].textSource).toBe('ocr');
    expect(r.pages[0].words.length).toBeGreaterThan(30);
    expectFields(r, l.fields!);
    expect(r.invoice!.total.source?.box.w).toBeGreaterThan(0);
    expect(stages).toEqual(['intake', 'vit', 'ocr', 'semantic', 'done']);
    expect(r.embedding.length).toBeGreaterThan(8);
    expect(Math.hypot(...r.embedding)).toBeCloseTo(1, 2);
  });

  it('reads a digital PDF from its text layer without OCR', async () => {
    const l = label('09-');
    const r = await perception.perceive({ path: join(DIR, l.file) });
    expect(r.source.kind).toBe('pdf');
    expect(r.pages[0].textSource).toBe('pdf_text');
    expect(r.timings.ocrMs).toBe(0);
    expect(r.docType.value).toBe('invoice');
    expectFields(r, l.fields!);
    expect(r.invoice!.language).toBe('de');
  });

  it('reads every page of a multi-page PDF and keeps the invoice fields from page one', async () => {
    const l = label('24-');
    const r = await perception.perceive({ path: join(DIR, l.file) });
    expect(r.source).toMatchObject({ pages: 2, pagesProcessed: 2 });
    expect(r.pages.map((p) => p.index)).toEqual([0, 1]);
    expect(r.pages[1].textSource).toBe('pdf_text');
    expect(r.pages[1].words.length).toBeGreaterThan(10);
    expect(r.pages[1].words.every((w) => w.box.page === 1)).toBe(true);
    expectFields(r, l.fields!);
  });

  it('reads a receipt photo', async () => {
    const l = label('25-');
    const r = await perception.perceive({ path: join(DIR, l.file) });
    expect(r.docType.value).toBe('receipt');
    expectFields(r, l.fields!);
  });

  it('gives a screenshot its layout regions and a gist of the message', async () => {
    const l = label('43-');
    const r = await perception.perceive({ path: join(DIR, l.file) });
    expect(r.docType.value).toBe('screenshot');
    expect(r.invoice).toBeNull();
    expect(r.screenshot!.regions.map((g) => g.kind)).toContain('header');
    const words = l.message!.toLowerCase().split(/\W+/).filter((w) => w.length > 4);
    const gist = r.screenshot!.gist.toLowerCase();
    expect(words.filter((w) => gist.includes(w)).length).toBeGreaterThanOrEqual(Math.ceil(words.length * 0.6));
  });
});

describe('orientation', () => {
  it('reads a receipt photographed sideways without EXIF orientation', async () => {
    const sharp = (await import('sharp')).default;
    const l = label('25-');
    const sideways = await sharp(join(DIR, l.file)).rotate(90).png().toBuffer();
    const r = await perception.perceive({ bytes: sideways, filename: 'sideways.png' });
    expect(r.warnings.join(' ')).toMatch(/rotated by \d+°/);
    expect(r.invoice?.total.value).toBe(l.fields!.total);
  });
});
