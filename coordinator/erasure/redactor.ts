import { z } from 'zod';

/** What replaces an erased name, address or number, everywhere. */
export const FORGOTTEN = '[forgotten]';

/**
 * Whom to erase: the names (an entity's name and aliases, the name the operator typed) and the
 * identifiers that point at the same subject (the e-mail addresses and phone numbers memory holds for it).
 */
export const ErasureSubjectSchema = z.object({
  names: z.array(z.string()).default([]),
  emails: z.array(z.string()).default([]),
  phones: z.array(z.string()).default([]),
});
export type ErasureSubject = z.infer<typeof ErasureSubjectSchema>;
export type ErasureSubjectInput = z.input<typeof ErasureSubjectSchema>;

/** A pure string rewrite that the whole erasure shares, so every store is redacted the same way. */
export interface Redactor {
  /** Regular expressions valid in PostgreSQL (`~*`) and JavaScript alike: a cheap superset prefilter. */
  readonly patterns: string[];
  /** True when nothing would be erased (no usable name or identifier). */
  readonly empty: boolean;
  test(s: string): boolean;
  text(s: string): string;
  /**
   * Rewrites every string value in a JSON value (object keys stay: they are structure, e.g. step names,
   * and the fold copies them from columns that are not rewritten). Blob references in `blobs` are
   * pointed at their redacted copies.
   */
  json<T>(v: T, blobs?: ReadonlyMap<string, BlobMove>): { value: T; changed: boolean };
}

export interface BlobMove {
  hash: string;
  size: number;
}

// Characters that are syntax in a JavaScript (u flag) or PostgreSQL regular expression.
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const SEP = '[\\s_.-]+'; // between a name's words: "Acme GmbH", "Acme_GmbH" (a file name), "acme-gmbh"
const DIGIT_SEP = '[^0-9a-z]{0,3}'; // between a phone number's digits: "+49 (30) 5550-1987"
const joinDigits = (d: string) => d.split('').join(DIGIT_SEP);

function namePattern(name: string): string | null {
  const words = name.trim().split(/[\s_.-]+/).filter(Boolean);
  if (words.join('').length < 2) return null;
  return words.map(esc).join(SEP);
}

/** A phone number as written anywhere: its full digits, and without the country code (1 to 3 digits). */
function phonePatterns(phone: string): string[] {
  const d = phone.replace(/\D/g, '').replace(/^00/, '');
  if (d.length < 6) return [];
  const out = [`(?:\\+|00)?${joinDigits(d)}`];
  if (phone.trim().startsWith('+') || phone.trim().startsWith('00')) {
    for (let k = 1; k <= 3; k++) if (d.length - k >= 6) out.push(`0?${joinDigits(d.slice(k))}`);
  }
  return out;
}

/** Builds the redactor for a subject. Longer patterns come first, so "Acme GmbH" goes whole before "Acme". */
export function createRedactor(input: ErasureSubjectInput): Redactor {
  const s = ErasureSubjectSchema.parse(input);
  const patterns = [
    ...new Set([
      ...s.names.map(namePattern),
      ...s.emails.filter((e) => e.includes('@')).map((e) => esc(e.trim())),
      ...s.phones.flatMap(phonePatterns),
    ].filter((p): p is string => !!p && p.length >= 2)),
  ].sort((a, b) => b.length - a.length);
  // Whole words only: forgetting "Ann" leaves "planning" alone.
  const re = patterns.length ? new RegExp(`(?<![\\p{L}\\p{N}])(?:${patterns.join('|')})(?![\\p{L}\\p{N}])`, 'giu') : null;

  const text = (v: string): string => (re ? v.replace(re, FORGOTTEN) : v);
  const test = (v: string): boolean => {
    if (!re) return false;
    re.lastIndex = 0;
    return re.test(v);
  };

  function walk(v: unknown, blobs: ReadonlyMap<string, BlobMove> | undefined, hit: { changed: boolean }): unknown {
    if (typeof v === 'string') {
      const r = text(v);
      if (r !== v) hit.changed = true;
      return r;
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, blobs, hit));
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (blobs && typeof o.$blob === 'string' && blobs.has(o.$blob)) {
        const to = blobs.get(o.$blob)!;
        hit.changed = true;
        return { ...o, $blob: to.hash, size: to.size };
      }
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(o)) out[k] = walk(x, blobs, hit);
      return out;
    }
    return v;
  }

  return {
    patterns,
    empty: patterns.length === 0,
    test,
    text,
    json<T>(v: T, blobs?: ReadonlyMap<string, BlobMove>) {
      const hit = { changed: false };
      const value = walk(v, blobs, hit) as T;
      return { value: hit.changed ? value : v, changed: hit.changed };
    },
  };
}

const EMAIL = /[A-Z0-9._%+-]+@[A-Z0-9-]+(?:\.[A-Z0-9-]+)*\.[A-Z]{2,}/gi;
const PHONE = /\+?\(?\d[\d\s().\/-]{5,}\d/g;
const PHONE_KEY = /phone|tel|mobil|fax|handy|cell|whatsapp|signal/i;

/**
 * The e-mail addresses and phone numbers in a subject's own records (its facts and attributes, as
 * key/value pairs): identifiers to erase together with its names. A number counts as a phone when its
 * key says so or it is written internationally (+…), so an invoice date is never taken for one.
 */
export function identifiersIn(entries: Array<[key: string, value: unknown]>): { emails: string[]; phones: string[] } {
  const emails = new Set<string>();
  const phones = new Set<string>();
  const visit = (key: string, v: unknown): void => {
    if (typeof v === 'string') {
      for (const m of v.match(EMAIL) ?? []) emails.add(m);
      for (const m of v.match(PHONE) ?? []) {
        const t = m.trim();
        if (t.replace(/\D/g, '').length >= 7 && (PHONE_KEY.test(key) || /^\+|^00/.test(t))) phones.add(t);
      }
    } else if (Array.isArray(v)) v.forEach((x) => visit(key, x));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(k, x);
  };
  for (const [k, v] of entries) visit(k, v);
  return { emails: [...emails], phones: [...phones] };
}
