import type { Word } from '../result.schema.ts';
import { findLabels, qualifyTaxHits, type LabelDef, type FieldKey } from './labels.ts';
import { norm, normWithMap } from './normalize.ts';
import { xOverlap, type Line, type Segment } from './layout.ts';

/**
 * Layout-aware label → value search. For each label found in a segment, candidate values are, in order:
 * the rest of the same segment ("Total: 12.00"), the next segments to the right on the same line, and the
 * segment below in the same column (labels printed above values). Field parsers then accept or reject each.
 */
export interface LabelOccurrence {
  def: LabelDef;
  line: Line;
  segment: Segment;
  segIndex: number;
  /** Words of the segment after the label. */
  rest: Word[];
  /** Words of the segment before the label: a label deep inside a sentence is prose, not a caption. */
  lead: number;
}

export interface ValueCandidate {
  occ: LabelOccurrence;
  words: Word[];
  text: string;
  /** inline 1, right 0.97, below 0.9: how surely this position belongs to the label. */
  position: number;
  where: 'inline' | 'right' | 'below';
}

export function findLabelOccurrences(lines: Line[]): LabelOccurrence[] {
  const out: LabelOccurrence[] = [];
  for (const line of lines) {
    line.segments.forEach((segment, segIndex) => {
      const { text: raw, map } = normWithMap(segment.text);
      const text = deconfuse(raw);
      // Character offset where each word starts in segment.text (words joined by single spaces).
      const starts: number[] = [];
      let p = 0;
      for (const w of segment.words) {
        starts.push(p);
        p += w.text.length + 1;
      }
      for (const hit of qualifyTaxHits(text, findLabels(text))) {
        const rawEnd = map[hit.end - 1] + 1;
        const rest: Word[] = [];
        segment.words.forEach((w, i) => {
          const s0 = starts[i];
          if (s0 >= rawEnd) rest.push(w);
          else if (s0 + w.text.length > rawEnd) rest.push({ ...w, text: w.text.slice(rawEnd - s0) });
        });
        const LEAD = /^[\s:#.\-–)°º№*]+/;
        while (rest.length && !rest[0].text.replace(LEAD, '')) rest.shift();
        if (rest.length) rest[0] = { ...rest[0], text: rest[0].text.replace(LEAD, '') };
        const lead = segment.words.filter((_, i) => starts[i] < map[hit.start]).length;
        out.push({ def: hit.def, line, segment, segIndex, rest, lead });
      }
    });
  }
  return out;
}

/**
 * OCR confuses O/0 and l/1 inside words ("T0TAL", "SUBT0TAL", "TOTA1"): in tokens that are mostly letters the
 * digits are read as the letters they resemble. Character for character, so the position map stays valid.
 */
export function deconfuse(normText: string): string {
  return normText.replace(/[a-z01]{4,}/g, (t) => {
    const digits = (t.match(/[01]/g) ?? []).length;
    const w = digits && digits <= 2 && t.length - digits >= 3 ? t.replace(/0/g, 'o').replace(/1/g, 'l') : t;
    return nearKeyWord(w) ?? w;
  });
}

/** The few words a receipt cannot be read without; OCR's one-letter slips ("TOTAI", "TUTAL", "SUMNE") are mended. */
const KEY_WORDS = ['total', 'subtotal', 'gesamt', 'summe', 'betrag', 'montant', 'importe', 'totaal', 'amount', 'invoice', 'rechnung', 'facture', 'factura'];

function nearKeyWord(t: string): string | null {
  if (t.length < 5 || KEY_WORDS.includes(t)) return null;
  for (const k of KEY_WORDS) {
    if (k.length !== t.length || k[0] !== t[0]) continue;
    let diff = 0;
    for (let i = 0; i < k.length && diff < 2; i++) if (k[i] !== t[i]) diff++;
    if (diff === 1) return k;
  }
  return null;
}

/**
 * Candidate value positions for one label occurrence, nearest first. For money (`wholeLine`) the label's line
 * from the label to the next label comes first, so the last amount on it wins: a rate line prints its base
 * before the tax ("VAT 20% | 100.00 | 20.00").
 */
export function candidatesFor(occ: LabelOccurrence, lines: Line[], opts: { wholeLine?: boolean } = {}): ValueCandidate[] {
  const out: ValueCandidate[] = [];
  if (occ.rest.length) out.push({ occ, words: occ.rest, text: occ.rest.map((w) => w.text).join(' '), position: 1, where: 'inline' });
  if (occ.def.inlineOnly) return out;
  // A label segment followed by another label segment on the same line ("Date  Due date") ends the search right.
  for (const seg of occ.line.segments.slice(occ.segIndex + 1, occ.segIndex + 4)) {
    if (startsWithLabel(seg)) break;
    out.push({ occ, words: seg.words, text: seg.text, position: 0.97, where: 'right' });
  }
  const rights = out.filter((c) => c.where === 'right');
  if (opts.wholeLine && rights.length) {
    // Every segment to the right up to the next label: a VAT row prints base, rate and tax side by side.
    // Segments are kept apart by a separator word, so "19" | "163,16" is never read as 19 163,16.
    const tail: Word[] = [];
    for (const seg of occ.line.segments.slice(occ.segIndex + 1)) {
      if (startsWithLabel(seg)) break;
      tail.push({ ...seg.words[0], text: '|' }, ...seg.words);
    }
    const words = [...occ.rest, ...tail];
    out.unshift({ occ, words, text: words.map((w) => w.text).join(' '), position: occ.rest.length ? 1 : 0.97, where: occ.rest.length ? 'inline' : 'right' });
  }
  // A value split over two segments by a wide OCR gap ("Mar 7," | "2026").
  if (rights.length >= 2) {
    const words = rights.slice(0, 2).flatMap((c) => c.words);
    out.push({ occ, words, text: words.map((w) => w.text).join(' '), position: 0.95, where: 'right' });
  }
  // Below, in the same column: the next line, or a later one when the lines in between have nothing in this
  // column (a header row, then a blank or unrelated row, then the values).
  const ls = occ.segment.box;
  let looked = 0;
  for (const line of lines) {
    if (line.page !== occ.line.page || line.index <= occ.line.index) continue;
    const gap = line.box.y - (occ.line.box.y + occ.line.box.h);
    if (gap > occ.line.height * (looked ? 4 : 2.5)) break;
    let any = false;
    for (const seg of line.segments) {
      const aligned = xOverlap(seg.box, ls) > 0.3 || Math.abs(seg.box.x - ls.x) < ls.h * 2 || Math.abs(seg.box.x + seg.box.w - (ls.x + ls.w)) < ls.h * 2;
      // A sentence running under a column of labels is not a cell of that column.
      if (!aligned || (seg.box.w > Math.max(ls.w, ls.h * 4) * 3 && !/\d/.test(seg.text))) continue;
      any = true;
      if (!startsWithLabel(seg)) out.push({ occ, words: seg.words, text: seg.text, position: looked ? 0.85 : 0.9, where: 'below' });
    }
    // Up to three lines: smaller print can interleave between a totals header and its values.
    if (any || ++looked >= 3) break;
  }
  return out;
}

/** A segment that begins with another field's label holds that field's value, not ours. */
function startsWithLabel(seg: Segment): boolean {
  return findLabels(norm(seg.text)).some((h) => h.start === 0 && h.def.field !== 'none' && !h.def.inlineOnly);
}

export const occurrencesOf = (all: LabelOccurrence[], field: FieldKey): LabelOccurrence[] => all.filter((o) => o.def.field === field);
