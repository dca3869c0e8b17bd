import { describe, expect, it } from 'vitest';
import { Prng } from '../../scripts/synth-independent/prng.ts';
import { formatNumber, LANGS, type Cur } from '../../scripts/synth-independent/locale.ts';
import { expectedOf, makeBusiness } from '../../scripts/synth-independent/business.ts';
import { ExpectedSchema } from '../../bench/perception-sets/manifest.schema.ts';

describe('independent generator content', () => {
  it('prints CHF with apostrophes, JPY without decimals, French with spaces, German with dots', () => {
    expect(formatNumber(1234567.5, 'de', 'CHF')).toBe("1'234'567.50");
    expect(formatNumber(1234567, 'en', 'JPY')).toBe('1,234,567');
    expect(formatNumber(1234.5, 'fr', 'EUR')).toBe('1 234,50');
    expect(formatNumber(1234.5, 'de', 'EUR')).toBe('1.234,50');
    expect(formatNumber(1234.5, 'en', 'USD')).toBe('1,234.50');
  });

  it('is the same for the same seed and differs for another', () => {
    const a = makeBusiness(new Prng('x/1'), 'it', 'EUR', 'invoice');
    expect(makeBusiness(new Prng('x/1'), 'it', 'EUR', 'invoice')).toEqual(a);
    expect(makeBusiness(new Prng('x/2'), 'it', 'EUR', 'invoice')).not.toEqual(a);
  });

  it('produces documents whose figures add up, with valid expected values, across languages and currencies', () => {
    const curs: Cur[] = ['EUR', 'USD', 'GBP', 'CHF', 'JPY'];
    for (let i = 0; i < 300; i++) {
      const lang = LANGS[i % LANGS.length];
      const cur = curs[i % curs.length];
      const kind = i % 2 ? 'invoice' : 'receipt';
      const b = makeBusiness(new Prng(`t/${i}`), lang, cur, kind);
      const dec = cur === 'JPY' ? 0 : 2;
      const cents = (v: number): number => Math.round(v * 10 ** dec);
      expect(cents(b.items.reduce((s, it) => s + it.amount, 0))).toBe(cents(b.subtotal));
      expect(cents(b.subtotal) + cents(b.tax)).toBe(cents(b.total));
      const e = ExpectedSchema.parse(expectedOf(b, { number: true, due: true, items: true }));
      if (cur === 'JPY') expect(e.total).toMatch(/^\d+$/);
      if (kind === 'invoice') expect(e.dueDate! > e.issueDate!).toBe(true);
    }
  });
});
