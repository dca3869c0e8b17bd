/**
 * Text normalisation for matching labels across languages and OCR output: lower case, diacritics removed
 * (OCR often drops umlauts: "Fällig" → "Fallig"), ß → ss, punctuation turned into spaces.
 */
export function norm(s: string): string {
  return s
    .toLowerCase()
    .replace(/ß/g, 'ss')
    // Letters NFD does not decompose (Polish ł, Nordic ø/æ, French œ).
    .replace(/ł/g, 'l')
    .replace(/ø/g, 'o')
    .replace(/æ/g, 'ae')
    .replace(/œ/g, 'oe')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[°º]/g, '')
    .replace(/[^a-z0-9#%]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Like `norm`, but keeps a map from each output character back to its index in the input. */
export function normWithMap(s: string): { text: string; map: number[] } {
  let text = '';
  const map: number[] = [];
  let lastSpace = true;
  for (let i = 0; i < s.length; i++) {
    const n = norm(s[i] === ' ' ? ' ' : s[i]);
    if (!n || n === ' ') {
      if (!lastSpace) {
        text += ' ';
        map.push(i);
        lastSpace = true;
      }
      continue;
    }
    for (const ch of n) {
      if (ch === ' ') {
        if (lastSpace) continue;
        lastSpace = true;
      } else lastSpace = false;
      text += ch;
      map.push(i);
    }
  }
  return { text, map };
}
