import type { Box, Word } from '../result.schema.ts';
import { unionBox, meanConfidence } from './layout.ts';

/** A field value on its way to the result: confidence and reasons accumulate as evidence comes in. */
export interface FieldDraft<T> {
  value: T | null;
  confidence: number;
  source: { text: string; box: Box } | null;
  reasons: string[];
  /** Mean OCR confidence of the source words: which of several disagreeing fields was most likely misread. */
  ocr?: number;
}

export function missing<T>(reason: string): FieldDraft<T> {
  return { value: null, confidence: 0, source: null, reasons: [reason] };
}

export function found<T>(value: T, words: Word[], base: number, reasons: string[]): FieldDraft<T> {
  const ocr = meanConfidence(words);
  const r = [...reasons];
  if (ocr < 0.8) r.push(`OCR was unsure of this text (${Math.round(ocr * 100)}%)`);
  const confidence = Math.max(0, Math.min(1, base * (0.55 + 0.45 * ocr)));
  return { value, confidence, source: { text: words.map((w) => w.text).join(' '), box: unionBox(words.map((w) => w.box)) }, reasons: r, ocr };
}

export function adjust<T>(f: FieldDraft<T>, factor: number, reason?: string): void {
  if (f.value === null) return;
  f.confidence = Math.max(0, Math.min(1, factor >= 1 ? f.confidence + (1 - f.confidence) * (factor - 1) : f.confidence * factor));
  if (reason) f.reasons.push(reason);
}

export const round = (v: number, d = 4): number => Math.round(v * 10 ** d) / 10 ** d;
