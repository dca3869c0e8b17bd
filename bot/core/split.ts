import { createHash } from 'node:crypto';

/**
 * Splits text into parts of at most `max` characters, in order, preferring (best first) a paragraph
 * break, a line break, then a space; a word is cut only when it alone is longer than a part. `atomic`
 * marks spans that must not be cut (Slack's `&amp;` entities): a cut that would land inside one moves
 * before it. Parts keep their text exactly: joining them (with the separators dropped at cuts) gives
 * the input back, minus the whitespace at each cut.
 */
export function splitText(text: string, max: number, atomic?: RegExp): string[] {
  if (max < 1) throw new RangeError('max must be at least 1');
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = bestCut(rest, max);
    if (atomic) cut = outsideAtomic(rest, cut, atomic);
    const head = rest.slice(0, cut).replace(/\s+$/, '');
    // A cut that leaves nothing (text made of one unbreakable span) falls back to a hard cut.
    parts.push(head || rest.slice(0, max));
    rest = head ? rest.slice(cut).replace(/^\s+/, '') : rest.slice(max);
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}

function bestCut(s: string, max: number): number {
  const window = s.slice(0, max + 1);
  // Only cuts past a quarter of the part: tiny parts cost a message each.
  const floor = Math.floor(max / 4);
  for (const sep of ['\n\n', '\n', ' ']) {
    const i = window.lastIndexOf(sep);
    if (i > floor) return i;
  }
  return max;
}

function outsideAtomic(s: string, cut: number, atomic: RegExp): number {
  const re = new RegExp(atomic.source, atomic.flags.includes('g') ? atomic.flags : `${atomic.flags}g`);
  for (const m of s.matchAll(re)) {
    const start = m.index ?? 0;
    if (start >= cut) break;
    if (start < cut && start + m[0].length > cut) return start > 0 ? start : cut;
  }
  return cut;
}

/** A short digest of one part, kept with its platform id so an edit re-sends only the parts that changed. */
export function partHash(text: string): string {
  return createHash('sha1').update(text).digest('base64url').slice(0, 10);
}

/** One delivered part: the platform's id for it and the digest of what it shows. */
export interface DeliveredPart {
  id: string;
  hash: string;
}

/** Parts as stored in a delivery's externalId: "id#hash,id#hash" (the last one carries the buttons). */
export function encodeParts(parts: DeliveredPart[]): string {
  return parts.map((p) => `${p.id}#${p.hash}`).join(',');
}

/** Reads an externalId back; a plain id (single message, as stored before parts existed) is one part. */
export function decodeParts(externalId: string): DeliveredPart[] {
  return externalId.split(',').filter(Boolean).map((p) => {
    const i = p.lastIndexOf('#');
    return i < 0 ? { id: p, hash: '' } : { id: p.slice(0, i), hash: p.slice(i + 1) };
  });
}

/**
 * Maps a new render's parts onto the messages already delivered (`count` of them), so an edit touches
 * the same messages: the last delivered message (the one with the buttons) always gets the new last
 * part. More new parts than messages: the surplus is folded into the last one (cut at `max`); fewer:
 * the messages in between show a continuation mark.
 */
export function assignParts(parts: string[], count: number, max: number): string[] {
  if (count <= 0) return [];
  if (parts.length >= count) {
    const tail = parts.slice(count - 1).join('\n');
    return [...parts.slice(0, count - 1), tail.length > max ? `${tail.slice(0, max - 1)}…` : tail];
  }
  return [...parts.slice(0, parts.length - 1), ...Array<string>(count - parts.length).fill('⋯'), parts[parts.length - 1]];
}
