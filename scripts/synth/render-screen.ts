import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import type { Rng } from './rng.ts';
import { font, scribble, text, accentColor } from './draw.ts';

/** Customer messages the screenshots carry; the gist extractor should surface their substance. */
const COMPLAINTS = [
  'My order #4417 arrived damaged, the box was crushed.',
  'I was charged twice for the same subscription this month.',
  'The delivery is three days late, where is my parcel?',
  'The invoice shows the wrong VAT number, please fix it.',
  'Can you refund the broken lamp? I sent photos yesterday.',
  'Meine Bestellung ist immer noch nicht angekommen.',
  'Le colis est arrivé abîmé, je voudrais un remboursement.',
  'El pedido llegó incompleto, falta un artículo.',
  'Your app keeps logging me out after the update.',
  'Please cancel my booking for Friday, something came up.',
];
const NAMES = ['Sarah M.', 'Jonas', 'Claire', 'Lucía', 'Pieter', 'Tom B.', 'Anna', 'Marc'];

export interface ScreenLabel {
  variant: 'chat' | 'app' | 'email';
  message: string;
}

/** Renders a chat, app or email UI screenshot, phone or desktop sized, light or dark. */
export function renderScreenshot(rng: Rng, scale = 1): { canvas: Canvas; label: ScreenLabel } {
  const variant = rng.pick(['chat', 'app', 'email'] as const);
  const phone = variant === 'chat' ? rng.chance(0.6) : rng.chance(0.25);
  const W0 = phone ? 540 : 1280;
  const H0 = phone ? 1100 : 800;
  const c = createCanvas(Math.round(W0 * scale), Math.round(H0 * scale));
  const ctx = c.getContext('2d');
  ctx.scale(scale, scale);
  const dark = rng.chance(0.3);
  const bg = dark ? '#1e1f22' : rng.pick(['#ffffff', '#f5f6f8', '#eef1f5']);
  const fg = dark ? '#e8e8e8' : '#1a1a1a';
  const accent = accentColor(rng);
  ctx.fillStyle = bg;
  ctx.fillRect(0, 0, W0, H0);
  const message = rng.pick(COMPLAINTS);
  const fam = rng.pick(['DejaVu Sans', 'DejaVu Sans Condensed']);
  const fs = phone ? 22 : 18;
  // Status/title bar.
  ctx.fillStyle = accent;
  ctx.fillRect(0, 0, W0, phone ? 110 : 56);
  ctx.fillStyle = '#ffffff';
  font(ctx, fs * 1.1, fam, true);
  const who = rng.pick(NAMES);
  if (phone) {
    font(ctx, fs * 0.7, fam);
    text(ctx, `${rng.int(8, 22)}:${String(rng.int(10, 59))}`, 20, 28);
    text(ctx, '100%', W0 - 20, 28, 'right');
    font(ctx, fs * 1.1, fam, true);
    text(ctx, variant === 'chat' ? who : variant === 'email' ? 'Inbox' : 'Orders', 80, 80);
  } else {
    text(ctx, variant === 'chat' ? `Chat — ${who}` : variant === 'email' ? 'Mail — Inbox' : 'Dashboard', 24, 36);
  }
  const top = phone ? 130 : 76;
  let x0 = 20;
  if (!phone) {
    // Sidebar.
    ctx.fillStyle = dark ? '#2b2d31' : '#e3e6ea';
    ctx.fillRect(0, 56, 260, H0 - 56);
    ctx.fillStyle = fg;
    font(ctx, fs * 0.95, fam);
    const items = variant === 'email' ? ['Inbox', 'Sent', 'Drafts', 'Archive', 'Spam'] : variant === 'chat' ? NAMES.slice(0, 6) : ['Home', 'Orders', 'Customers', 'Reports', 'Settings'];
    items.forEach((s, i) => text(ctx, s, 24, 110 + i * 44));
    x0 = 290;
  }
  ctx.fillStyle = fg;
  if (variant === 'chat') chat(ctx, rng, x0, top, W0, H0, fs, fam, message, dark, accent);
  else if (variant === 'email') email(ctx, rng, x0, top, W0, fs, fam, message, who, fg);
  else app(ctx, rng, x0, top, W0, H0, fs, fam, message, dark, accent, fg);
  return { canvas: c, label: { variant, message } };
}

function wrap(ctx: SKRSContext2D, s: string, maxW: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const w of s.split(' ')) {
    const t = line ? `${line} ${w}` : w;
    if (ctx.measureText(t).width > maxW && line) {
      out.push(line);
      line = w;
    } else line = t;
  }
  if (line) out.push(line);
  return out;
}

function bubble(ctx: SKRSContext2D, s: string, x: number, y: number, maxW: number, fs: number, fill: string, ink: string, right: boolean): number {
  const lines = wrap(ctx, s, maxW - 30);
  const w = Math.min(maxW, Math.max(...lines.map((l) => ctx.measureText(l).width)) + 30);
  const h = lines.length * fs * 1.35 + 18;
  const bx = right ? x - w : x;
  ctx.fillStyle = fill;
  ctx.beginPath();
  ctx.roundRect(bx, y, w, h, 14);
  ctx.fill();
  ctx.fillStyle = ink;
  lines.forEach((l, i) => text(ctx, l, bx + 15, y + 10 + fs * (i + 1) * 1.2));
  return h;
}

function chat(ctx: SKRSContext2D, rng: Rng, x0: number, top: number, W: number, H: number, fs: number, fam: string, msg: string, dark: boolean, accent: string): void {
  font(ctx, fs, fam);
  let y = top + 10;
  const other = ['Hi, I need help with something.', 'Hello! How can we help?', 'Thanks for getting back to me.', 'Sure, let me check that for you.'];
  const seq = [rng.pick(other), msg, rng.pick(other)];
  seq.forEach((s, i) => {
    const mine = i % 2 === 1 ? false : rng.chance(0.5);
    const h = bubble(ctx, s, mine ? W - 20 : x0, y, (W - x0) * 0.72, fs, mine ? accent : dark ? '#3a3c42' : '#e9e9eb', mine ? '#ffffff' : dark ? '#f0f0f0' : '#111111', mine);
    y += h + 16;
  });
  ctx.fillStyle = dark ? '#2b2d31' : '#f0f0f0';
  ctx.fillRect(x0 - 20, H - 70, W, 70);
  ctx.fillStyle = dark ? '#888' : '#999';
  text(ctx, 'Type a message…', x0 + 10, H - 28);
}

function email(ctx: SKRSContext2D, rng: Rng, x0: number, top: number, W: number, fs: number, fam: string, msg: string, who: string, fg: string): void {
  font(ctx, fs * 1.2, fam, true);
  const subject = rng.pick(['Problem with my order', 'Complaint', 'Wrong invoice', 'Refund request', 'Delivery issue']);
  text(ctx, subject, x0, top + 30);
  font(ctx, fs * 0.9, fam);
  text(ctx, `From: ${who} <${who.split(' ')[0].toLowerCase()}@example.com>`, x0, top + 64);
  text(ctx, `To: support@shop.example`, x0, top + 90);
  ctx.fillRect(x0, top + 104, W - x0 - 20, 1);
  font(ctx, fs, fam);
  const lines = wrap(ctx, `Hello, ${msg} Best regards, ${who}`, W - x0 - 40);
  lines.forEach((l, i) => text(ctx, l, x0, top + 140 + i * fs * 1.5));
  ctx.fillStyle = fg;
}

function app(ctx: SKRSContext2D, rng: Rng, x0: number, top: number, W: number, H: number, fs: number, fam: string, msg: string, dark: boolean, accent: string, fg: string): void {
  const cardW = (W - x0 - 40) / 3;
  for (let i = 0; i < 3; i++) {
    ctx.fillStyle = dark ? '#2b2d31' : '#ffffff';
    ctx.fillRect(x0 + i * (cardW + 10), top, cardW, 90);
    ctx.fillStyle = fg;
    font(ctx, fs * 0.8, fam);
    text(ctx, ['Open tickets', 'Revenue', 'Orders today'][i], x0 + i * (cardW + 10) + 12, top + 30);
    font(ctx, fs * 1.4, fam, true);
    text(ctx, String(rng.int(3, 990)), x0 + i * (cardW + 10) + 12, top + 70);
  }
  let y = top + 130;
  font(ctx, fs, fam, true);
  text(ctx, 'Latest ticket', x0, y);
  y += 30;
  font(ctx, fs, fam);
  for (const l of wrap(ctx, msg, W - x0 - 40)) {
    text(ctx, l, x0, y);
    y += fs * 1.5;
  }
  ctx.fillStyle = accent;
  ctx.beginPath();
  ctx.roundRect(x0, y + 10, 140, 44, 8);
  ctx.fill();
  ctx.fillStyle = '#ffffff';
  text(ctx, 'Reply', x0 + 70, y + 40, 'center');
  ctx.fillStyle = dark ? '#555' : '#c8c8c8';
  for (let r = 0; r < 5; r++) scribble(ctx, rng, x0, y + 90 + r * 34, W - x0 - 40, 10);
}
