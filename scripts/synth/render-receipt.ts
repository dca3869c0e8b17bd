import { createCanvas, type Canvas } from '@napi-rs/canvas';
import type { Rng } from './rng.ts';
import { CITIES, LABELS, STREETS, formatAmount, formatDate, formatMoney, type InvoiceData } from './content.ts';
import { font, paperColor, text } from './draw.ts';

/** Renders a till receipt: narrow paper, centred shop name, item lines, dashed rules, total, payment. */
export function renderReceipt(d: InvoiceData, rng: Rng, scale = 1): Canvas {
  const W0 = rng.int(440, 520);
  const lines = d.items.length * (rng.chance(0.5) ? 2 : 1);
  const H0 = 560 + lines * 34 + rng.int(0, 120);
  const c = createCanvas(Math.round(W0 * scale), Math.round(H0 * scale));
  const ctx = c.getContext('2d');
  ctx.fillStyle = paperColor(rng);
  ctx.fillRect(0, 0, c.width, c.height);
  ctx.scale(scale, scale);
  const L = LABELS[d.lang];
  const fam = rng.pick(['DejaVu Sans Mono', 'DejaVu Sans Mono', 'DejaVu Sans', 'DejaVu Sans Condensed']);
  const fs = rng.range(17, 20);
  const m = 24;
  const mid = W0 / 2;
  ctx.fillStyle = `rgb(${rng.int(10, 70)},${rng.int(10, 70)},${rng.int(10, 70)})`;
  let y = 50;
  font(ctx, fs * 1.4, fam, true);
  text(ctx, d.vendor, mid, y, 'center');
  y += fs * 1.6;
  font(ctx, fs * 0.9, fam);
  text(ctx, rng.pick(STREETS), mid, y, 'center');
  y += fs * 1.2;
  text(ctx, rng.pick(CITIES), mid, y, 'center');
  y += fs * 1.8;
  font(ctx, fs, fam, true);
  text(ctx, rng.pick(L.receipt), mid, y, 'center');
  y += fs * 1.6;
  font(ctx, fs, fam);
  const time = `${String(rng.int(7, 21)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}`;
  text(ctx, `${formatDate(d.issueDate, d.dateStyle, d.lang)} ${time}`, m, y);
  text(ctx, `${rng.pick(L.rno)} ${d.number}`, W0 - m, y, 'right');
  y += fs * 1.1;
  const dash = (): void => {
    text(ctx, '-'.repeat(60), m, y);
    y += fs * 1.3;
  };
  dash();
  for (const it of d.items) {
    if (it.quantity > 1) {
      text(ctx, it.description, m, y);
      y += fs * 1.3;
      text(ctx, `  ${it.quantity} x ${formatAmount(it.unitPrice, d.amountStyle)}`, m, y);
    } else {
      text(ctx, it.description, m, y);
    }
    text(ctx, formatAmount(it.amount, d.amountStyle), W0 - m, y, 'right');
    y += fs * 1.4;
  }
  dash();
  text(ctx, rng.pick(L.subtotal), m, y);
  text(ctx, formatAmount(d.subtotal, d.amountStyle), W0 - m, y, 'right');
  y += fs * 1.4;
  text(ctx, `${rng.pick(L.tax)} ${d.taxRate}%`, m, y);
  text(ctx, formatAmount(d.tax, d.amountStyle), W0 - m, y, 'right');
  y += fs * 1.6;
  font(ctx, fs * 1.25, fam, true);
  text(ctx, rng.pick(L.total).toUpperCase(), m, y);
  text(ctx, formatMoney(d.total, d), W0 - m, y, 'right');
  y += fs * 2;
  font(ctx, fs * 0.9, fam);
  const pay = { en: 'Card payment', de: 'Kartenzahlung', fr: 'Paiement CB', es: 'Pago con tarjeta', nl: 'Pinbetaling' }[d.lang];
  text(ctx, pay, m, y);
  y += fs * 2;
  const thanks = { en: 'Thank you!', de: 'Vielen Dank!', fr: 'Merci de votre visite', es: '¡Gracias por su compra!', nl: 'Bedankt!' }[d.lang];
  text(ctx, thanks, mid, y, 'center');
  return c;
}
