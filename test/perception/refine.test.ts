import { describe, expect, it } from 'vitest';
import { applyRefinements, isGrounded } from '../../perception/semantic/refine.port.ts';
import { extractInvoiceFields } from '../../perception/semantic/fields.ts';
import type { Word } from '../../perception/result.schema.ts';

const line = (y: number, text: string, x = 60): Word[] =>
  text.split(' ').map((t, i, all) => ({ text: t, confidence: 0.5, box: { page: 0, x: x + all.slice(0, i).join(' ').length * 10 + (i ? 10 : 0), y, w: t.length * 10, h: 20 } }));

describe('model refinements are grounded in the text', () => {
  const text = 'Kessler Tools GmbH\nRechnung 4711 vom 01.02.2026\nGesamt 119,00 EUR';

  it('accepts only values printed in the document', () => {
    expect(isGrounded('total', 119, text)).toBe(true);
    expect(isGrounded('total', 120, text)).toBe(false);
    expect(isGrounded('issueDate', '2026-02-01', text)).toBe(true);
    expect(isGrounded('issueDate', '2026-03-01', text)).toBe(false);
    expect(isGrounded('vendor', 'Kessler Tools GmbH', text)).toBe(true);
    expect(isGrounded('vendor', 'Acme Corp', text)).toBe(false);
    expect(isGrounded('currency', 'EUR', text)).toBe(true);
    expect(isGrounded('currency', 'USD', text)).toBe(false);
  });

  it('applies grounded proposals and rejects invented ones', () => {
    const words = [...line(40, 'Kessler Tools GmbH'), ...line(100, 'Rechnung 4711 vom 01.02.2026'), ...line(160, 'Gesamt 119,00 EUR')];
    const fields = extractInvoiceFields({ words, pageHeights: [1000] });
    const { fields: out, rejected } = applyRefinements(fields, text, [
      { field: 'number', value: '4711' },
      { field: 'total', value: 999 },
    ]);
    expect(out.number.value).toBe('4711');
    expect(out.number.reasons.join(' ')).toMatch(/refined by the language model/);
    expect(out.total.value).toBe(fields.total.value);
    expect(rejected).toEqual([{ field: 'total', value: 999 }]);
  });

  it('accepts a due date computed from printed payment terms, but not an arbitrary one', () => {
    const terms = 'Rechnung 4711 vom 01.02.2026\nZahlungsbedingungen: 30 Tage netto\nGesamt 119,00 EUR';
    expect(isGrounded('dueDate', '2026-03-03', terms)).toBe(true);
    expect(isGrounded('dueDate', '2026-03-04', terms)).toBe(false);
    expect(isGrounded('issueDate', '2026-03-03', terms)).toBe(false);
    expect(isGrounded('dueDate', '2026-03-03', 'Invoice of 01.02.2026. Net 30')).toBe(true);
  });
});
