/**
 * A narrow thermal till receipt (58 or 80 mm at 203 dpi: 384 or 576 px wide), monospace or narrow sans, with
 * centred header, dashed rules, a double-height total, a VAT breakdown, cash and change.
 */
import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import type { Prng } from './prng.ts';
import { font, type Face } from './fonts.ts';
import { WORDS, dateStyle, formatNumber, moneyStyle } from './locale.ts';
import type { Business } from './business.ts';

export function drawReceipt(b: Business, p: Prng): { canvas: Canvas; printedNumber: boolean } {
  const W = p.one([384, 576]);
  const face: Face = p.one(['IndepMono', 'IndepMono', 'IndepNarrow']);
  const fs = W === 384 ? p.real(17, 20) : p.real(22, 26);
  const lh = fs * 1.35;
  const w = WORDS[b.lang];
  const m = moneyStyle(p, b.lang, b.cur);
  const d = dateStyle(p, b.lang, b.cur);
  const lines = 12 + b.items.length * 2 + 10;
  const H = Math.round(lines * lh + 120);
  const canvas = createCanvas(W, H);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fdfdf8';
  ctx.fillRect(0, 0, W, H);
  let y = 50;
  const pad = 16;
  const put = (s: string, align: 'left' | 'right' | 'center', f = font(fs, face)): void => {
    ctx.font = f;
    ctx.fillStyle = '#1a1a1a';
    ctx.textAlign = align;
    ctx.fillText(s, align === 'left' ? pad : align === 'right' ? W - pad : W / 2, y);
  };
  const pair = (l: string, r: string, f = font(fs, face)): void => {
    put(l, 'left', f);
    put(r, 'right', f);
    y += lh;
  };
  const rule = (): void => {
    put('-'.repeat(Math.floor((W - 2 * pad) / (fs * 0.6))), 'center', font(fs, 'IndepMono'));
    y += lh;
  };
  put(b.seller.toUpperCase(), 'center', font(fs * 1.3, face, 'bold'));
  y += lh * 1.3;
  for (const l of b.sellerLines) {
    put(l, 'center');
    y += lh;
  }
  y += lh * 0.4;
  const time = `${String(p.between(7, 21)).padStart(2, '0')}:${String(p.between(0, 59)).padStart(2, '0')}`;
  pair(d(b.issue), time);
  const printedNumber = p.yes(0.8);
  if (printedNumber) pair(p.one(w.receiptNo), b.number);
  rule();
  for (const it of b.items) {
    if (it.qty > 1) {
      put(it.description, 'left');
      y += lh;
      pair(`  ${it.qty} x ${formatNumber(it.unit, b.lang, b.cur)}`, formatNumber(it.amount, b.lang, b.cur));
    } else pair(it.description, formatNumber(it.amount, b.lang, b.cur));
  }
  rule();
  const totalWord = { en: 'TOTAL', de: 'SUMME', fr: 'TOTAL', es: 'TOTAL', it: 'TOTALE', nl: 'TOTAAL' }[b.lang];
  pair(totalWord, m(b.total), font(fs * 1.45, face, 'bold'));
  y += lh * 0.3;
  const paid = Math.ceil(b.total / (b.cur === 'JPY' ? 1000 : 10)) * (b.cur === 'JPY' ? 1000 : 10);
  pair(w.cash, formatNumber(paid, b.lang, b.cur));
  pair(w.change, formatNumber(paid - b.total, b.lang, b.cur));
  rule();
  const taxWord = { en: 'VAT', de: 'MwSt', fr: 'TVA', es: 'IVA', it: 'IVA', nl: 'BTW' }[b.lang];
  pair(`${taxWord} ${formatNumber(b.rate, b.lang, 'EUR').replace(/[.,]0+$/, '')}%`, formatNumber(b.tax, b.lang, b.cur));
  pair(b.lang === 'en' ? 'Net' : b.lang === 'de' ? 'Netto' : b.lang === 'fr' ? 'HT' : b.lang === 'it' ? 'Imponibile' : b.lang === 'nl' ? 'Netto' : 'Base', formatNumber(b.subtotal, b.lang, b.cur));
  y += lh * 0.5;
  put(p.one(w.thanks), 'center');
  y += lh;
  // A barcode-like strip of bars.
  for (let x = W * 0.2; x < W * 0.8; x += p.between(2, 6)) {
    ctx.fillStyle = '#111';
    ctx.fillRect(x, y, p.between(1, 3), lh * 1.6);
  }
  return { canvas, printedNumber };
}

export type { SKRSContext2D };
