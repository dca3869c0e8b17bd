import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PerceptionResult } from '../../perception/index.ts';
import { ManifestSchema, splitOf, unknownExpected } from '../../bench/perception-sets/manifest.schema.ts';
import { normNumber, scoreDoc, vendorMatches } from '../../bench/perception-sets/score.ts';
import { figures, type DocRun } from '../../bench/perception-sets/report.ts';
import { resultFromSaved } from '../../bench/perception-sets/rescore.ts';

/** A perception result with just the parts the scorer reads. */
function result(inv: Partial<Record<string, unknown>> | null, docType = 'invoice', extra: { items?: (number | null)[]; failed?: string[] } = {}): PerceptionResult {
  const f = (value: unknown) => ({ value, confidence: 0.9, source: null, reasons: [] });
  const keys = ['vendor', 'number', 'issueDate', 'dueDate', 'currency', 'subtotal', 'tax', 'total'];
  return {
    docType: { value: docType, confidence: 1, decidedBy: [], vit: null },
    isDocument: true,
    invoice: inv && {
      ...Object.fromEntries(keys.map((k) => [k, f(inv[k] ?? null)])),
      lineItems: (extra.items ?? []).map((amount) => ({ description: 'x', quantity: null, unitPrice: null, amount, confidence: 1, box: { page: 0, x: 0, y: 0, w: 1, h: 1 } })),
      checks: (extra.failed ?? []).map((name) => ({ name, passed: false, detail: '' })),
      language: null,
    },
  } as unknown as PerceptionResult;
}

describe('vendor matching', () => {
  it.each([
    [['Coolblue B.V.'], 'COOLBLUE BV'],
    [['QualityHosting AG'], 'QualityHosting'],
    [['ALDI'], 'ALDI SÜD GmbH & Co. KG'],
    [['Thalia Bücher'], 'THALIA BUCHER'],
    [['MR. D.I.Y. (M) SDN BHD'], 'MR D I Y M SDN. BHD.'],
    [['WS Retail Services Pvt. Ltd.', 'Flipkart'], 'Flipkart.com'],
    [['RapidKL'], 'rapid KL'],
  ])('accepts %j for %s', (want, got) => expect(vendorMatches(want, got)).toBe(true));

  it.each([
    [['ALDI'], 'Lidl'],
    [['dm drogerie markt', 'dm'], 'Admiral'],
    [['Free', 'Free SAS'], 'Freedom Finance'],
    [['Lieferant GmbH'], 'GmbH'],
    [['Lieferant GmbH'], null],
  ])('rejects %j for %s', (want, got) => expect(vendorMatches(want, got)).toBe(false));
});

describe('scoring one document', () => {
  const want = unknownExpected({
    vendor: ['Kraxi GmbH'], number: 'BLR 01', issueDate: '2014-07-11', currency: 'EUR', total: '1005.55', subtotal: '845.00', tax: '160.55',
    lineItems: [{ description: 'a', amount: '40.00' }, { description: 'b', amount: '40.00' }, { description: 'c', amount: '0.00' }], consistent: true,
  });

  it('scores labelled fields only, numbers without spaces or a leading #, totals to the cent', () => {
    const s = scoreDoc(result({ vendor: 'KRAXI', number: '#BLR01', issueDate: '2014-07-11', currency: 'EUR', total: 1005.554, subtotal: 845, tax: 160.56 }), 'invoice', true, want);
    expect(s.fields).toEqual({ vendor: true, number: true, issueDate: true, currency: true, total: true, subtotal: true, tax: false });
    expect(s.allFive).toBe(true);
    expect(normNumber(' # 12 34 ')).toBe('1234');
  });

  it('needs all five key fields labelled for "all five" and counts labelled ones for "all labelled"', () => {
    const partial = unknownExpected({ vendor: ['X'], issueDate: '2020-01-02', total: '9.00' });
    const s = scoreDoc(result({ vendor: 'X', issueDate: '2020-01-02', total: 9 }), 'receipt', true, partial);
    expect(s.allFive).toBeNull();
    expect(s.allLabelledKey).toBe(true);
    expect(Object.keys(s.fields).sort()).toEqual(['issueDate', 'total', 'vendor']);
    const wrong = scoreDoc(result({ vendor: 'X', issueDate: '2020-02-01', total: 9 }), 'receipt', true, partial);
    expect(wrong.allLabelledKey).toBe(false);
  });

  it('matches line items one-to-one by amount and counts a failed arithmetic check on a consistent document', () => {
    const s = scoreDoc(result({ total: 1005.55 }, 'invoice', { items: [40, 40, 40, null], failed: ['subtotal_plus_tax'] }), 'invoice', true, want);
    expect(s.items).toEqual({ tp: 2, predicted: 4, expected: 3 });
    expect(s.falseFlag).toBe(true);
    expect(scoreDoc(result({}, 'invoice', { failed: ['dates_parse'] }), 'invoice', true, want).falseFlag).toBe(false);
  });

  it('a missing invoice block fails every labelled field and the doc type compares with the class', () => {
    const s = scoreDoc(result(null, 'photo'), 'invoice', true, want);
    expect(s.typeOk).toBe(false);
    expect(Object.values(s.fields).every((v) => v === false)).toBe(true);
  });

  it('scores a saved prediction (bench --out) the same as the live result', () => {
    const live = result({ vendor: 'KRAXI', number: 'BLR01', issueDate: '2014-07-11', currency: 'EUR', total: 1005.55, subtotal: 845, tax: 160.55 }, 'invoice', { items: [40, 7], failed: ['line_items_sum'] });
    const inv = live.invoice!;
    const saved = resultFromSaved({
      docType: 'invoice', isDocument: true,
      fields: { vendor: 'KRAXI', number: 'BLR01', issueDate: '2014-07-11', dueDate: null, currency: 'EUR', total: 1005.55, subtotal: 845, tax: 160.55, lineItems: inv.lineItems.map((l) => l.amount), checks: ['line_items_sum'] },
    });
    expect(scoreDoc(saved, 'invoice', true, want)).toEqual(scoreDoc(live, 'invoice', true, want));
  });

  it('aggregates item F1 and coverage over documents, an error counting as wrong', () => {
    const doc = { id: 'a', path: 'a', source: 'real', collection: 'c', split: 'test', class: 'invoice', rendering: 'scan', language: 'en', isDocument: true, expected: want } as const;
    const ok: DocRun = { doc, score: scoreDoc(result({ total: 1005.55 }, 'invoice', { items: [40, 40, 0] }), 'invoice', true, want), error: null, pages: 1, ms: 10 };
    const err: DocRun = { doc, score: null, error: 'boom', pages: 1, ms: 5 };
    const g = figures('all', [ok, err], () => true);
    expect(g.itemsF1.f1).toBe(1);
    expect(g.fields.total).toEqual({ ok: 1, n: 2 });
    expect(g.fields.dueDate).toEqual({ ok: 0, n: 0 });
    expect(g.errors).toBe(1);
  });
});

describe.each(['test/fixtures/perception-real', 'test/fixtures/perception-indep'])('evaluation manifest %s', (dir) => {
  const m = ManifestSchema.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));

  it('lists files that exist, each split fixed by its group hash, one split per group', () => {
    const groupSplit = new Map<string, string>();
    for (const d of m.docs) {
      expect(existsSync(join(dir, d.file)), d.file).toBe(true);
      expect(d.split, d.file).toBe(splitOf(d.group));
      expect(groupSplit.get(d.group) ?? d.split).toBe(d.split);
      groupSplit.set(d.group, d.split);
    }
    expect(new Set(m.docs.map((d) => d.file)).size).toBe(m.docs.length);
  });

  it('has both splits and stays small', () => {
    expect(m.docs.filter((d) => d.split === 'dev').length).toBeGreaterThan(10);
    expect(m.docs.filter((d) => d.split === 'test').length).toBeGreaterThan(10);
    const bytes = m.docs.reduce((s, d) => s + statSync(join(dir, d.file)).size, 0);
    expect(bytes).toBeLessThan(32 * 1024 * 1024);
  });
});
