/**
 * Three invoice page layouts drawn on any 2D context (a raster canvas or a Skia PDF page) in a 1000 × 1414 unit
 * space: "band" (coloured header band, meta rows on the right), "letter" (DIN-style sender line and window
 * address, meta in columns), "grid" (everything boxed, the amount due in a highlighted box).
 */
import type { SKRSContext2D } from '@napi-rs/canvas';
import type { Prng } from './prng.ts';
import { font, type Face } from './fonts.ts';
import { WORDS, dateStyle, formatNumber, moneyStyle } from './locale.ts';
import type { Business } from './business.ts';

export const PAGE_W = 1000;
export const PAGE_H = 1414;
export type InvoiceLayout = 'band' | 'letter' | 'grid';

export interface Printed {
  number: boolean;
  due: 'date' | 'terms' | 'both';
  items: boolean;
}

type Align = 'left' | 'right' | 'center';
function put(ctx: SKRSContext2D, s: string, x: number, y: number, f: string, align: Align = 'left', color = '#111'): void {
  ctx.font = f;
  ctx.fillStyle = color;
  ctx.textAlign = align;
  ctx.textBaseline = 'alphabetic';
  ctx.fillText(s, x, y);
}
function hline(ctx: SKRSContext2D, x1: number, x2: number, y: number, color = '#999', w = 1): void {
  ctx.strokeStyle = color;
  ctx.lineWidth = w;
  ctx.beginPath();
  ctx.moveTo(x1, y);
  ctx.lineTo(x2, y);
  ctx.stroke();
}

export function drawInvoice(ctx: SKRSContext2D, b: Business, p: Prng, layout: InvoiceLayout, printed: Printed): void {
  const w = WORDS[b.lang];
  const face: Face = p.one(['IndepSans', 'IndepSerif', 'IndepSans', 'IndepNarrow']);
  const m = moneyStyle(p, b.lang, b.cur);
  const d = dateStyle(p, b.lang, b.cur);
  const accent = p.one(['#1d4e89', '#7a1f3d', '#2f6b3a', '#444444', '#b35c00', '#00607a']);
  const L = { title: p.one(w.title), number: p.one(w.number), date: p.one(w.date), due: p.one(w.due), sub: p.one(w.subtotal), tax: p.one(w.tax(formatNumber(b.rate, b.lang, 'EUR').replace(/[.,]0+$/, ''))), total: p.one(w.total), billTo: p.one(w.billTo), terms: p.one(w.terms) };
  const fs = p.real(15, 18);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, PAGE_W, PAGE_H);

  const meta: [string, string][] = [];
  if (printed.number) meta.push([L.number, b.number]);
  meta.push([L.date, d(b.issue)]);
  if (b.due && printed.due !== 'terms') meta.push([L.due, d(b.due)]);

  let y: number;
  if (layout === 'band') {
    ctx.fillStyle = accent;
    ctx.fillRect(0, 0, PAGE_W, 150);
    put(ctx, b.seller, 60, 85, font(fs * 2, face, 'bold'), 'left', '#fff');
    put(ctx, `${b.sellerLines.join(' · ')}`, 60, 120, font(fs * 0.85, face), 'left', '#e8e8e8');
    put(ctx, L.title, 940, 95, font(fs * 2.2, face, 'bold'), 'right', '#fff');
    put(ctx, L.billTo, 60, 215, font(fs * 0.85, face, 'bold'), 'left', accent);
    b.buyer.forEach((l, i) => put(ctx, l, 60, 245 + i * fs * 1.4, font(fs, face)));
    meta.forEach(([k, v], i) => {
      put(ctx, k, 700, 225 + i * fs * 1.6, font(fs * 0.9, face), 'right', '#555');
      put(ctx, v, 940, 225 + i * fs * 1.6, font(fs, face, 'bold'), 'right');
    });
    y = 380;
  } else if (layout === 'letter') {
    put(ctx, b.seller, 940, 90, font(fs * 1.7, 'IndepSerif', 'bold'), 'right', accent);
    b.sellerLines.forEach((l, i) => put(ctx, l, 940, 120 + i * fs * 1.3, font(fs * 0.85, face), 'right', '#444'));
    put(ctx, `${b.seller} · ${b.sellerLines.join(' · ')}`, 80, 215, font(fs * 0.65, face), 'left', '#666');
    hline(ctx, 80, 480, 222, '#888');
    b.buyer.forEach((l, i) => put(ctx, l, 80, 255 + i * fs * 1.45, font(fs, face)));
    put(ctx, L.title, 80, 420, font(fs * 1.9, face, 'bold'));
    meta.forEach(([k, v], i) => {
      put(ctx, k, 80 + i * 280, 470, font(fs * 0.8, face), 'left', '#555');
      put(ctx, v, 80 + i * 280, 470 + fs * 1.4, font(fs, face, 'bold'));
    });
    y = 540;
  } else {
    ctx.strokeStyle = '#333';
    ctx.lineWidth = 1.5;
    ctx.strokeRect(50, 50, 430, 150);
    put(ctx, b.seller, 70, 95, font(fs * 1.5, face, 'bold'));
    b.sellerLines.forEach((l, i) => put(ctx, l, 70, 130 + i * fs * 1.35, font(fs * 0.9, face)));
    ctx.strokeRect(520, 50, 430, 150);
    ctx.fillStyle = '#eeeeee';
    ctx.fillRect(521, 51, 428, 45);
    put(ctx, L.title, 735, 83, font(fs * 1.5, face, 'bold'), 'center');
    meta.forEach(([k, v], i) => {
      put(ctx, `${k}:`, 535, 125 + i * fs * 1.5, font(fs * 0.85, face));
      put(ctx, v, 935, 125 + i * fs * 1.5, font(fs * 0.95, face, 'bold'), 'right');
    });
    ctx.strokeRect(50, 225, 430, 120);
    put(ctx, L.billTo, 65, 250, font(fs * 0.8, face, 'bold'), 'left', '#555');
    b.buyer.forEach((l, i) => put(ctx, l, 65, 278 + i * fs * 1.35, font(fs * 0.95, face)));
    y = 380;
  }

  // Items table.
  const cols = [layout === 'letter' ? 80 : 60, 600, 760, 940];
  const head = w.cols;
  if (layout === 'band') {
    ctx.fillStyle = accent;
    ctx.globalAlpha = 0.12;
    ctx.fillRect(50, y - fs * 1.2, 900, fs * 1.8);
    ctx.globalAlpha = 1;
  }
  put(ctx, head[0], cols[0], y, font(fs * 0.9, face, 'bold'));
  put(ctx, head[1], cols[1], y, font(fs * 0.9, face, 'bold'), 'right');
  put(ctx, head[2], cols[2], y, font(fs * 0.9, face, 'bold'), 'right');
  put(ctx, head[3], cols[3], y, font(fs * 0.9, face, 'bold'), 'right');
  hline(ctx, 50, 950, y + 10, '#333', layout === 'grid' ? 1.5 : 1);
  y += fs * 2;
  if (printed.items) {
    b.items.forEach((it, i) => {
      if (layout === 'band' && i % 2 === 1) {
        ctx.fillStyle = '#f3f3f3';
        ctx.fillRect(50, y - fs * 1.15, 900, fs * 1.7);
      }
      put(ctx, it.description, cols[0], y, font(fs, face));
      put(ctx, String(it.qty), cols[1], y, font(fs, face), 'right');
      put(ctx, formatNumber(it.unit, b.lang, b.cur), cols[2], y, font(fs, face), 'right');
      put(ctx, formatNumber(it.amount, b.lang, b.cur), cols[3], y, font(fs, face), 'right');
      if (layout === 'grid') hline(ctx, 50, 950, y + fs * 0.6, '#bbb');
      y += fs * 1.7;
    });
  }
  hline(ctx, 50, 950, y - fs * 0.6, '#333');
  y += fs * 1.4;

  // Totals.
  const tx = layout === 'letter' ? 560 : 600;
  put(ctx, L.sub, tx, y, font(fs, face));
  put(ctx, m(b.subtotal), 940, y, font(fs, face), 'right');
  y += fs * 1.6;
  put(ctx, L.tax, tx, y, font(fs, face));
  put(ctx, m(b.tax), 940, y, font(fs, face), 'right');
  y += fs * 2;
  if (layout === 'grid') {
    ctx.fillStyle = '#e6e6e6';
    ctx.fillRect(tx - 15, y - fs * 1.5, 955 - tx, fs * 2.4);
  } else hline(ctx, tx, 950, y - fs * 1.3, '#333', 2);
  put(ctx, L.total, tx, y, font(fs * 1.2, face, 'bold'));
  put(ctx, m(b.total), 940, y, font(fs * 1.2, face, 'bold'), 'right');
  y += fs * 3.5;

  // Terms and footer.
  if (b.termsDays !== null && printed.due !== 'date') put(ctx, L.terms(b.termsDays), 60, y, font(fs * 0.95, face));
  y += fs * 2;
  const iban = `${b.lang === 'en' ? 'GB' : b.lang.toUpperCase()}${String(p.between(10, 99))} ${Array.from({ length: 4 }, () => String(p.between(1000, 9999))).join(' ')} ${p.between(10, 99)}`;
  hline(ctx, 50, 950, PAGE_H - 110, '#aaa');
  put(ctx, `${b.seller} · ${b.sellerLines.join(' · ')}`, 60, PAGE_H - 80, font(fs * 0.7, face), 'left', '#555');
  put(ctx, `${w.bank}: IBAN ${iban}`, 60, PAGE_H - 58, font(fs * 0.7, face), 'left', '#555');
  put(ctx, `${w.page} 1/1`, 940, PAGE_H - 58, font(fs * 0.7, face), 'right', '#555');
}
