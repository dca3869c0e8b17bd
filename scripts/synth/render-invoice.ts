import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import type { Rng } from './rng.ts';
import { CITIES, CUSTOMERS, LABELS, STREETS, formatAmount, formatDate, formatMoney, type InvoiceData } from './content.ts';
import { FONTS, accentColor, font, inkColor, paperColor, text } from './draw.ts';

/**
 * Renders an invoice page (A4 proportions) in one of several layouts: labels left of values, labels above
 * values, inline "Label: value" lines; tables with or without rules; totals right-aligned or inline.
 * `scale` 1 ≈ 1000 px wide, legible for OCR; training renders smaller.
 */
export function renderInvoice(d: InvoiceData, rng: Rng, scale = 1): Canvas {
  const W = Math.round(1000 * scale);
  const H = Math.round(1414 * scale);
  const c = createCanvas(W, H);
  const ctx = c.getContext('2d');
  ctx.fillStyle = paperColor(rng);
  ctx.fillRect(0, 0, W, H);
  ctx.scale(scale, scale);
  const L = LABELS[d.lang];
  const fam = rng.pick(FONTS.filter((f) => !f.includes('Mono')));
  const ink = inkColor(rng);
  const accent = accentColor(rng);
  const fs = rng.range(17, 21);
  const layout = rng.int(0, 3);
  const m = rng.range(60, 90);
  const date = (s: string): string => formatDate(s, d.dateStyle, d.lang);
  let y = m + 20;

  // Header: vendor + address, title.
  if (layout === 1) {
    ctx.fillStyle = accent;
    ctx.fillRect(0, 0, 1000, 130);
    ctx.fillStyle = '#ffffff';
    font(ctx, fs * 1.8, fam, true);
    text(ctx, d.vendor, m, 75);
    font(ctx, fs * 0.85, fam);
    text(ctx, `${rng.pick(STREETS)}, ${rng.pick(CITIES)}`, m, 108);
    y = 200;
  } else {
    ctx.fillStyle = layout === 3 ? accent : ink;
    font(ctx, fs * rng.range(1.5, 1.9), fam, true);
    const right = layout === 2;
    text(ctx, d.vendor, right ? 1000 - m : m, y, right ? 'right' : 'left');
    ctx.fillStyle = ink;
    font(ctx, fs * 0.85, fam);
    text(ctx, rng.pick(STREETS), right ? 1000 - m : m, y + fs * 1.5, right ? 'right' : 'left');
    text(ctx, rng.pick(CITIES), right ? 1000 - m : m, y + fs * 2.7, right ? 'right' : 'left');
    y += fs * 5;
  }
  ctx.fillStyle = layout === 1 ? accent : ink;
  font(ctx, fs * rng.range(1.6, 2.2), fam, true);
  const title = rng.pick(L.title);
  if (layout === 2) text(ctx, title, m, y);
  else if (layout === 3) text(ctx, title, 500, y, 'center');
  else text(ctx, title, 1000 - m, y, 'right');
  y += fs * 2.5;

  // Meta block.
  ctx.fillStyle = ink;
  const meta: [string, string][] = [[rng.pick(L.number), d.number], [rng.pick(L.date), date(d.issueDate)]];
  if (d.dueDate) meta.push([rng.pick(L.due), date(d.dueDate)]);
  if (layout === 0 || layout === 2) {
    const lx = layout === 0 ? 560 : m;
    const vx = layout === 0 ? 1000 - m : m + 280;
    for (const [k, v] of meta) {
      font(ctx, fs, fam, true);
      text(ctx, `${k}${rng.chance(0.5) ? ':' : ''}`, lx, y);
      font(ctx, fs, fam);
      text(ctx, v, vx, y, layout === 0 ? 'right' : 'left');
      y += fs * 1.5;
    }
  } else if (layout === 1) {
    const colW = (1000 - 2 * m) / meta.length;
    meta.forEach(([k, v], i) => {
      font(ctx, fs * 0.8, fam);
      ctx.fillStyle = '#666666';
      text(ctx, k.toUpperCase(), m + i * colW, y);
      ctx.fillStyle = ink;
      font(ctx, fs * 1.05, fam, true);
      text(ctx, v, m + i * colW, y + fs * 1.4);
    });
    y += fs * 2.6;
  } else {
    font(ctx, fs, fam);
    for (const [k, v] of meta) {
      text(ctx, `${k}: ${v}`, m, y);
      y += fs * 1.5;
    }
  }
  y += fs;
  font(ctx, fs * 0.9, fam, true);
  text(ctx, rng.pick(L.billto), m, y);
  font(ctx, fs * 0.9, fam);
  text(ctx, rng.pick(CUSTOMERS), m, y + fs * 1.3);
  text(ctx, rng.pick(STREETS), m, y + fs * 2.5);
  y += fs * 5;

  // Line items table.
  const cols = [m, 560, 700, 1000 - m];
  const rule = rng.chance(0.6);
  if (layout === 1) {
    ctx.fillStyle = accent;
    ctx.fillRect(m - 8, y - fs * 1.1, 1000 - 2 * m + 16, fs * 1.6);
    ctx.fillStyle = '#ffffff';
  }
  font(ctx, fs * 0.95, fam, true);
  text(ctx, rng.pick(L.desc), cols[0], y);
  text(ctx, rng.pick(L.qty), cols[1], y, 'right');
  text(ctx, rng.pick(L.unit), cols[2] + 100, y, 'right');
  text(ctx, rng.pick(L.amount), cols[3], y, 'right');
  ctx.fillStyle = ink;
  if (rule) drawRule(ctx, m, y + fs * 0.6, 1000 - m);
  y += fs * 1.9;
  font(ctx, fs, fam);
  for (const it of d.items) {
    text(ctx, it.description, cols[0], y);
    text(ctx, String(it.quantity), cols[1], y, 'right');
    text(ctx, formatAmount(it.unitPrice, d.amountStyle), cols[2] + 100, y, 'right');
    text(ctx, formatAmount(it.amount, d.amountStyle), cols[3], y, 'right');
    y += fs * 1.6;
  }
  if (rule) drawRule(ctx, m, y - fs * 0.7, 1000 - m);
  y += fs * 1.2;

  // Totals.
  const rows: [string, string, boolean][] = [
    [rng.pick(L.subtotal), formatMoney(d.subtotal, d), false],
    [`${rng.pick(L.tax)} ${d.taxRate}%`, formatMoney(d.tax, d), false],
    [rng.pick(L.total), formatMoney(d.total, d), true],
  ];
  for (const [k, v, strong] of rows) {
    font(ctx, strong ? fs * 1.15 : fs, fam, strong);
    if (layout === 3) {
      text(ctx, `${k}: ${v}`, 1000 - m, y, 'right');
    } else {
      text(ctx, k, 600, y);
      text(ctx, v, 1000 - m, y, 'right');
    }
    y += fs * 1.7;
  }
  // Footer.
  font(ctx, fs * 0.75, fam);
  ctx.fillStyle = '#555555';
  const footer = { en: 'Thank you for your business. Payment by bank transfer.', de: 'Vielen Dank für Ihren Auftrag. Zahlung per Überweisung.',
    fr: 'Merci pour votre confiance. Paiement par virement.', es: 'Gracias por su confianza. Pago por transferencia.',
    nl: 'Bedankt voor uw opdracht. Betaling per overschrijving.' }[d.lang];
  text(ctx, footer, m, 1414 - m);
  text(ctx, `IBAN DE${rng.int(10, 99)} ${rng.int(1000, 9999)} ${rng.int(1000, 9999)} ${rng.int(1000, 9999)}`, m, 1414 - m + fs);
  return c;
}

function drawRule(ctx: SKRSContext2D, x0: number, y: number, x1: number): void {
  ctx.fillRect(x0, y, x1 - x0, 1.5);
}
