import type { Word } from '../result.schema.ts';
import { norm } from './normalize.ts';
import type { Line } from './layout.ts';
import { found, type FieldDraft } from './field-result.ts';
import { findDates, type DateOrder } from './date.ts';

/**
 * Due dates from payment terms ("Net 30", "30 Tage netto", "à 30 jours", "innert 30 Tagen", "payable within 14
 * days", "a 30 días", "binnen 14 dagen"), computed from the issue date. A cash-discount term ("14 Tage 2 %
 * Skonto") is an early-payment offer, not the due date, so a net term wins and discount clauses are skipped.
 */
const DAYS = String.raw`(\d{1,3})\s*(?:days?|tage[n]?|tg|jours?|j|dias?|dagen|giorni|dagar|dage|dni)`;
const TERM_RES: { re: RegExp; net: boolean }[] = [
  { re: /\bnet(?:to)?\s*(\d{1,3})\b(?!\s*%)/, net: true },
  { re: new RegExp(String.raw`\b${DAYS}\s*(?:net|netto|netos?|nett)\b`), net: true },
  { re: new RegExp(String.raw`\b(?:within|innerhalb(?: von)?|innert|binnen|entro|inom|innen|w ciagu)\s+${DAYS}`), net: false },
  { re: new RegExp(String.raw`\b(?:a|à|sous)\s+${DAYS}`), net: false },
  { re: new RegExp(String.raw`\b(?:payable|due|zahlbar|zahlungsziel|payment terms?|terms|conditions de paiement|plazo|paiement|pago|betaling|betalingstermijn)\b[^.]{0,40}?\b${DAYS}`), net: false },
];
const DISCOUNT = /\b(skonto|discount|escompte|descuento|sconto|korting|rabatt)\b|%/;

export function dueFromTerms(lines: Line[], issueIso: string | null): FieldDraft<string> | null {
  if (!issueIso) return null;
  let best: { days: number; net: boolean; words: Word[]; text: string } | null = null;
  for (const l of lines) {
    // Clauses split at commas/semicolons: "14 Tage 2 % Skonto, 30 Tage netto".
    for (const rawClause of l.text.split(/[,;]/)) {
      const clause = norm(rawClause);
      if (DISCOUNT.test(clause)) continue;
      for (const { re, net } of TERM_RES) {
        const m = re.exec(clause);
        if (!m) continue;
        const days = +m[1];
        if (days < 0 || days > 180) continue;
        if (!best || (net && !best.net)) best = { days, net, words: l.words, text: l.text };
        break;
      }
    }
  }
  if (!best) return null;
  const d = new Date(`${issueIso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + best.days);
  const iso = d.toISOString().slice(0, 10);
  return found(iso, best.words, 0.75, [`computed from the payment terms "${best.text.trim().slice(0, 60)}" (${best.days} days after the issue date)`]);
}

/** "Zahlbar ohne Abzug bis 31.12.2025", "Payable by 15/03/2026", "à régler avant le …": a dated payment phrase. */
const PAY_BY = /\b(zahlbar|zahlung|payable|pay|payment|due|a payer|a regler|reglement|pagadero|pagar|pago|te betalen|betalen|betaling|scadenza|pagamento)\b.*\b(bis|by|before|avant|until|antes|voor|entro|prima)\b/;

export function dueFromPhrase(lines: Line[], order: DateOrder): FieldDraft<string> | null {
  for (const l of lines) {
    const n = norm(l.text);
    if (!PAY_BY.test(n) || DISCOUNT.test(n)) continue;
    const dates = findDates(l.text, order);
    if (!dates.length) continue;
    const d = dates[dates.length - 1];
    const words = l.words.filter((w) => d.text.includes(w.text));
    return found(d.iso, words.length ? words : l.words, 0.8, [`read from the payment phrase "${l.text.trim().slice(0, 60)}"`]);
  }
  return null;
}
