/**
 * Currency detection from ISO codes and symbols. "$" alone is read as USD and "kr" as SEK, but flagged as
 * ambiguous so the confidence drops; prefixed dollars (C$, CA$, A$, AU$, NZ$, HK$, S$, R$) are resolved.
 */
export const ISO_CURRENCIES = new Set([
  'EUR', 'USD', 'GBP', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'HUF', 'RON', 'BGN', 'JPY', 'CNY', 'CAD', 'AUD',
  'NZD', 'INR', 'BRL', 'MXN', 'ZAR', 'SGD', 'HKD', 'TRY', 'ILS', 'AED', 'KRW', 'THB', 'ISK', 'MYR', 'IDR', 'PHP',
  'VND', 'TWD', 'SAR', 'QAR', 'KWD', 'RUB', 'UAH', 'CLP', 'COP', 'ARS', 'PEN', 'EGP', 'NGN', 'KES', 'PKR', 'MAD',
]);

/** Currencies printed without minor units: their amounts are whole numbers ("¥1,200", "₩15,000"). */
export const ZERO_DECIMAL = new Set(['JPY', 'KRW', 'ISK', 'VND', 'CLP', 'IDR', 'HUF', 'COP']);

export interface CurrencyMatch {
  code: string;
  text: string;
  index: number;
  ambiguous: boolean;
}

const PATTERNS: [RegExp, string, boolean][] = [
  [/(?:CA|C)\$/g, 'CAD', false],
  [/(?:AU|A)\$/g, 'AUD', false],
  [/NZ\$/g, 'NZD', false],
  [/HK\$/g, 'HKD', false],
  [/S\$/g, 'SGD', false],
  [/R\$/g, 'BRL', false],
  [/US\$/g, 'USD', false],
  [/€/g, 'EUR', false],
  [/£/g, 'GBP', false],
  [/¥|円/g, 'JPY', true],
  [/元/g, 'CNY', false],
  [/₩/g, 'KRW', false],
  [/₺/g, 'TRY', false],
  [/₽/g, 'RUB', false],
  [/₱/g, 'PHP', false],
  [/฿/g, 'THB', false],
  [/₫/g, 'VND', false],
  // Ringgit ("RM 25.90"), rupiah ("Rp 15.000"), forint ("1 200 Ft"): only as a word of their own.
  [/(?<![A-Za-z])RM(?![A-Za-z])/g, 'MYR', false],
  [/(?<![A-Za-z])Rp\.?(?=\s?\d)/g, 'IDR', false],
  [/(?<=\d\s?)Ft(?![A-Za-z])/g, 'HUF', false],
  [/(?<![A-Za-z])S?Fr\.(?=\s?\d)|(?<![A-Za-z])SFr(?![A-Za-z])/g, 'CHF', true],
  [/₹/g, 'INR', false],
  // Rupees: "Rs. 319.00" / "Rs 319" (India; Pakistan and Sri Lanka also write Rs, hence ambiguous).
  [/(?<![A-Za-z])Rs\.?(?=\s?\d)/g, 'INR', true],
  [/zł/gi, 'PLN', false],
  [/Kč/g, 'CZK', false],
  [/(?<![A-Za-z])(?:SEK|kr)(?![A-Za-z])/g, 'SEK', true],
  [/\$/g, 'USD', true],
];

export function findCurrencies(text: string): CurrencyMatch[] {
  const out: CurrencyMatch[] = [];
  const taken: [number, number][] = [];
  for (const m of text.matchAll(/(?<![A-Za-z])([A-Z]{3})(?![A-Za-z])/g)) {
    if (!ISO_CURRENCIES.has(m[1])) continue;
    out.push({ code: m[1], text: m[1], index: m.index ?? 0, ambiguous: false });
    taken.push([m.index ?? 0, (m.index ?? 0) + 3]);
  }
  for (const [re, code, ambiguous] of PATTERNS) {
    for (const m of text.matchAll(re)) {
      const i = m.index ?? 0;
      if (taken.some(([a, b]) => i < b && i + m[0].length > a)) continue;
      if (m[0] === 'SEK' || m[0] === 'kr') {
        if (m[0] === 'SEK') continue; // already counted as ISO
      }
      taken.push([i, i + m[0].length]);
      out.push({ code, text: m[0], index: i, ambiguous: m[0] === 'SEK' ? false : ambiguous });
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

export const isKnownCurrency = (code: string): boolean => ISO_CURRENCIES.has(code);
