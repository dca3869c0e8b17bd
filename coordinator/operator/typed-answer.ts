import type { EngineDeps } from '../engine/deps.ts';
import type { TypedAnswerKind } from '../process/define.ts';
import { typedAnswerOf } from '../systems/approval.system.ts';

/**
 * A typed value is an answer only to the question that asked for it: the operator's reply to that
 * question's message, or the next message after it when it is the COO's latest (a chat without
 * threads). Anything else stays free text, which never decides (test/core/decisions-free-text.test.ts).
 */
export type TypedAnswer =
  | { kind: 'value'; approvalId: string; value: string }
  | { kind: 'invalid'; approvalId: string; text: string };

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** "396.27", "396,27", "€ 1.234,56", "1,234.56 EUR" → 396.27 / 1234.56; anything else null. */
export function parseTypedAmount(text: string): number | null {
  const t = text.replace(/[€$£¥]|\b[A-Z]{3}\b/g, '').replace(/\s+/g, '').trim();
  if (!/^-?\d{1,3}([.,' ]?\d{3})*([.,]\d{1,2})?$|^-?\d+([.,]\d{1,2})?$/.test(t)) return null;
  const lastSep = Math.max(t.lastIndexOf('.'), t.lastIndexOf(','));
  // The last separator is the decimal mark when one or two digits follow it.
  const decimals = lastSep >= 0 && t.length - lastSep - 1 <= 2 ? t.slice(lastSep + 1) : '';
  const whole = (decimals ? t.slice(0, lastSep) : t).replace(/[.,']/g, '');
  const n = Number(`${whole}${decimals ? `.${decimals}` : ''}`);
  return Number.isFinite(n) ? Math.round(n * 100) / 100 : null;
}

/** "2026-01-04", "4.1.2026", "04/01/2026" (day first), "4 Jan 2026", "Jan 4, 2026" → "2026-01-04"; else null. */
export function parseTypedDate(text: string): string | null {
  const t = text.trim().toLowerCase();
  let y: number, m: number, d: number;
  let r = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  if (r) [y, m, d] = [Number(r[1]), Number(r[2]), Number(r[3])];
  else if ((r = /^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$/.exec(t))) [d, m, y] = [Number(r[1]), Number(r[2]), Number(r[3])];
  else if ((r = /^(\d{1,2})\.?\s+([a-zé]{3,})\.?,?\s+(\d{4})$/.exec(t)) && MONTHS.indexOf(r[2].slice(0, 3)) >= 0) [d, m, y] = [Number(r[1]), MONTHS.indexOf(r[2].slice(0, 3)) + 1, Number(r[3])];
  else if ((r = /^([a-z]{3,})\.?\s+(\d{1,2}),?\s+(\d{4})$/.exec(t)) && MONTHS.indexOf(r[1].slice(0, 3)) >= 0) [m, d, y] = [MONTHS.indexOf(r[1].slice(0, 3)) + 1, Number(r[2]), Number(r[3])];
  else return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

/** Validates a typed value as the kind the question asked for; the message says what to type instead. */
export function validateTypedValue(kind: TypedAnswerKind, text: string, label: string): { ok: true; value: string } | { ok: false; message: string } {
  const t = text.trim();
  if (kind === 'amount') {
    const n = parseTypedAmount(t);
    return n === null ? { ok: false, message: `“${t.slice(0, 40)}” is not an amount. Reply with ${label}, e.g. 396.27.` } : { ok: true, value: n.toFixed(2) };
  }
  if (kind === 'date') {
    const d = parseTypedDate(t);
    return d === null ? { ok: false, message: `“${t.slice(0, 40)}” is not a date I can read. Reply with ${label}, e.g. 2026-01-04 or 4.1.2026.` } : { ok: true, value: d };
  }
  if (!t || t.length > 200 || t.includes('\n')) return { ok: false, message: `Reply with ${label} on one line (at most 200 characters).` };
  return { ok: true, value: t };
}

/** The pending question this text answers with a typed value, if it is a reply to one; null otherwise. */
export async function typedAnswerFor(deps: EngineDeps, text: string, replyTo: string | undefined, inboundId: string): Promise<TypedAnswer | null> {
  const db = deps.db;
  const target = replyTo && /^\d+$/.test(replyTo)
    ? await db.operatorMessage.findUnique({ where: { id: BigInt(replyTo) } })
    : await db.operatorMessage.findFirst({ where: { direction: 'out', id: { lt: BigInt(inboundId) } }, orderBy: { id: 'desc' } });
  if (!target?.approvalId || target.direction !== 'out') return null;
  const approval = await db.approval.findUnique({ where: { id: target.approvalId } });
  if (!approval || approval.status !== 'pending') return null;
  const answer = await typedAnswerOf(deps, approval.runId, approval.id);
  if (!answer) return null;
  // Not a reply, only the next message: text that is plainly something else (a question, a long
  // sentence, no digits where a number or date is asked) goes on as free text.
  if (!replyTo && (text.length > 80 || text.includes('?') || (answer.kind !== 'text' && !/\d/.test(text)))) return null;
  const v = validateTypedValue(answer.kind, text, answer.label);
  return v.ok ? { kind: 'value', approvalId: approval.id, value: v.value } : { kind: 'invalid', approvalId: approval.id, text: v.message };
}
