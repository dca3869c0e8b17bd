import { describe, expect, it } from 'vitest';
import { createHashedEmbedder, tokenize } from '../../memory/index.ts';
import { guessLang, stem } from '../../memory/embedding/lexicon.ts';

const e = createHashedEmbedder({ dims: 384 });
const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
const nearest = async (query: string, texts: string[]) => {
  const [q, ...vs] = await e.embed([query, ...texts]);
  return texts[vs.map((v) => cos(q, v)).reduce((best, s, i, all) => (s > all[best] ? i : best), 0)];
};

describe('hashed embedder', () => {
  it('is deterministic, unit length and names its vector space', async () => {
    const [a, b] = await e.embed(['Invoice 2026-114 for 40 reams of paper', 'Invoice 2026-114 for 40 reams of paper']);
    expect(a).toEqual(b);
    expect(cos(a, a)).toBeCloseTo(1, 9);
    expect(e.id).toBe('hashed-v2-384');
    const [empty] = await e.embed(['the and of']);
    expect(empty.every((x) => x === 0)).toBe(true);
  });

  it('leaves out the common words of English, German, French and Spanish, accents and case aside', () => {
    expect(tokenize('Die Lieferung für Müller ist zu spät')).toEqual(['lieferung', 'muller', 'spat']);
    expect(tokenize("Est-ce que la facture d'Élodie est payée ?")).toEqual(['facture', 'elodie', 'payee']);
    expect(tokenize('¿Cuándo llega el pedido de la señora Pérez?')).toEqual(['llega', 'pedido', 'senora', 'perez']);
    expect(tokenize('Straße')).toEqual(['strasse']);
  });

  it('stems in the language the text is written in', () => {
    expect(guessLang(['die', 'rechnung', 'ist', 'offen'])).toBe('de');
    expect(guessLang(['la', 'facture', 'est', 'en', 'retard'])).toBe('fr');
    expect(guessLang(['el', 'pedido', 'de', 'la', 'tienda'])).toBe('es');
    expect(guessLang(['invoice', 'overdue'])).toBe('en');
    expect(stem('lieferungen', 'de')).toBe(stem('lieferung', 'de'));
    expect(stem('livraisons', 'fr')).toBe(stem('livraison', 'fr'));
    expect(stem('facturas', 'es')).toBe(stem('factura', 'es'));
    expect(stem('invoices', 'en')).toBe(stem('invoice', 'en'));
  });

  it('matches a question in German, French or Spanish to the English record it is about', async () => {
    const records = ['The parcel for Anna Berger arrived four days late.', 'Invoice INV-2231 to Anna Berger is still unpaid.', 'Anna Berger wants a refund for the broken mugs.'];
    expect(await nearest('Hat Anna Berger die Rechnung bezahlt?', records)).toBe(records[1]);
    expect(await nearest("Anna Berger demande-t-elle un remboursement ?", records)).toBe(records[2]);
    expect(await nearest('¿Llegó tarde el paquete de Anna Berger?', records)).toBe(records[0]);
  });

  it('matches inflected and compound forms through character n-grams', async () => {
    const records = ['Zahlungserinnerung an Keller verschickt', 'Neue Preisliste von Keller erhalten'];
    expect(await nearest('Keller Preislisten', records)).toBe(records[1]);
  });
});
