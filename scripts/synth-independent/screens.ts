/**
 * Screenshots with UI chrome: a phone chat (status bar, header, bubbles), a desktop web app (window controls,
 * address bar, sidebar, table), and a phone banking list. Text in the document's language; no business fields.
 */
import { createCanvas, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import type { Prng } from './prng.ts';
import { font } from './fonts.ts';
import type { Lang } from './locale.ts';

const CHAT: Record<Lang, string[]> = {
  en: ['Did the parcel arrive?', 'Yes, this morning', 'Can you send me the invoice again?', 'Sure, check your inbox', 'Meeting moved to 3 pm', 'Thanks!'],
  de: ['Ist das Paket angekommen?', 'Ja, heute früh', 'Kannst du mir die Rechnung nochmal schicken?', 'Klar, schau ins Postfach', 'Termin auf 15 Uhr verschoben', 'Danke!'],
  fr: ['Le colis est arrivé ?', 'Oui, ce matin', 'Tu peux me renvoyer la facture ?', 'Bien sûr, regarde tes mails', 'Réunion décalée à 15h', 'Merci !'],
  es: ['¿Llegó el paquete?', 'Sí, esta mañana', '¿Me reenvías la factura?', 'Claro, mira tu correo', 'La reunión pasa a las 15h', '¡Gracias!'],
  it: ['È arrivato il pacco?', 'Sì, stamattina', 'Mi rimandi la fattura?', 'Certo, controlla la mail', 'Riunione spostata alle 15', 'Grazie!'],
  nl: ['Is het pakket aangekomen?', 'Ja, vanochtend', 'Kun je de factuur nog eens sturen?', 'Tuurlijk, kijk in je mail', 'Vergadering verzet naar 15 uur', 'Bedankt!'],
};
const NAV: Record<Lang, string[]> = {
  en: ['Dashboard', 'Orders', 'Customers', 'Reports', 'Settings'], de: ['Übersicht', 'Bestellungen', 'Kunden', 'Berichte', 'Einstellungen'],
  fr: ['Tableau de bord', 'Commandes', 'Clients', 'Rapports', 'Paramètres'], es: ['Panel', 'Pedidos', 'Clientes', 'Informes', 'Ajustes'],
  it: ['Pannello', 'Ordini', 'Clienti', 'Report', 'Impostazioni'], nl: ['Dashboard', 'Bestellingen', 'Klanten', 'Rapporten', 'Instellingen'],
};

function statusBar(ctx: SKRSContext2D, W: number, p: Prng, dark: boolean): void {
  ctx.fillStyle = dark ? '#000' : '#f6f6f6';
  ctx.fillRect(0, 0, W, 44);
  ctx.fillStyle = dark ? '#fff' : '#000';
  ctx.font = font(17, 'IndepSans', 'bold');
  ctx.textAlign = 'left';
  ctx.fillText(`${p.between(7, 23)}:${String(p.between(0, 59)).padStart(2, '0')}`, 24, 30);
  ctx.strokeStyle = ctx.fillStyle as string;
  ctx.strokeRect(W - 52, 16, 30, 14);
  ctx.fillRect(W - 50, 18, 26 * p.real(0.2, 1), 10);
  for (let i = 0; i < 4; i++) ctx.fillRect(W - 110 + i * 7, 30 - i * 4, 4, 4 + i * 4);
}

function chat(p: Prng, lang: Lang): Canvas {
  const W = 750;
  const H = 1334;
  const c = createCanvas(W, H);
  const ctx = c.getContext('2d');
  const dark = p.yes(0.3);
  ctx.fillStyle = dark ? '#121212' : p.one(['#e5ddd5', '#ffffff', '#eef3f8']);
  ctx.fillRect(0, 0, W, H);
  statusBar(ctx, W, p, dark);
  ctx.fillStyle = dark ? '#1f1f1f' : '#075e54';
  ctx.fillRect(0, 44, W, 90);
  ctx.fillStyle = '#cccccc';
  ctx.beginPath();
  ctx.arc(80, 89, 28, 0, Math.PI * 2);
  ctx.fill();
  ctx.fillStyle = '#fff';
  ctx.font = font(26, 'IndepSans', 'bold');
  ctx.fillText(p.one(['Anna', 'Marco', 'Sophie', 'Lukas', 'Inès', 'Pablo', 'Daan']), 125, 98);
  let y = 190;
  const msgs = p.some(CHAT[lang], p.between(4, 6));
  for (const [i, msg] of msgs.entries()) {
    const mine = i % 2 === 1;
    ctx.font = font(25, 'IndepSans');
    const tw = Math.min(520, ctx.measureText(msg).width);
    const bx = mine ? W - tw - 70 : 30;
    ctx.fillStyle = mine ? (dark ? '#005c4b' : '#dcf8c6') : dark ? '#2a2a2a' : '#ffffff';
    ctx.beginPath();
    ctx.roundRect(bx, y, tw + 40, 62, 18);
    ctx.fill();
    ctx.fillStyle = dark ? '#eee' : '#111';
    ctx.textAlign = 'left';
    ctx.fillText(msg, bx + 20, y + 40, 520);
    y += 95;
  }
  ctx.fillStyle = dark ? '#1f1f1f' : '#f0f0f0';
  ctx.fillRect(0, H - 100, W, 100);
  ctx.fillStyle = dark ? '#333' : '#fff';
  ctx.beginPath();
  ctx.roundRect(20, H - 80, W - 130, 60, 30);
  ctx.fill();
  return c;
}

function webApp(p: Prng, lang: Lang): Canvas {
  const W = 1440;
  const H = 900;
  const c = createCanvas(W, H);
  const ctx = c.getContext('2d');
  ctx.fillStyle = '#fafafa';
  ctx.fillRect(0, 0, W, H);
  ctx.fillStyle = '#dedede';
  ctx.fillRect(0, 0, W, 80);
  ['#ff5f57', '#febc2e', '#28c840'].forEach((col, i) => {
    ctx.fillStyle = col;
    ctx.beginPath();
    ctx.arc(24 + i * 22, 20, 7, 0, Math.PI * 2);
    ctx.fill();
  });
  ctx.fillStyle = '#fff';
  ctx.beginPath();
  ctx.roundRect(200, 42, 900, 28, 14);
  ctx.fill();
  ctx.fillStyle = '#333';
  ctx.font = font(15, 'IndepSans');
  ctx.fillText(`https://app.${p.one(['ordera', 'kontor', 'ledgerly', 'tabula'])}.io/${NAV[lang][1].toLowerCase()}`, 220, 61);
  ctx.fillStyle = p.one(['#1e293b', '#312e81', '#14532d']);
  ctx.fillRect(0, 80, 230, H - 80);
  ctx.fillStyle = '#fff';
  ctx.font = font(18, 'IndepSans');
  NAV[lang].forEach((n, i) => ctx.fillText(n, 30, 140 + i * 50));
  ctx.fillStyle = '#111';
  ctx.font = font(30, 'IndepSans', 'bold');
  ctx.fillText(NAV[lang][1], 270, 140);
  ctx.font = font(17, 'IndepSans');
  for (let r = 0; r < 10; r++) {
    const y = 200 + r * 52;
    ctx.fillStyle = r % 2 ? '#ffffff' : '#f1f5f9';
    ctx.fillRect(260, y - 30, 1140, 52);
    ctx.fillStyle = '#222';
    ctx.fillText(`#${p.between(10000, 99999)}`, 280, y);
    ctx.fillText(p.one(['Anna K.', 'M. Rossi', 'J. Dupont', 'P. García', 'T. de Vries', 'S. Weber']), 430, y);
    ctx.fillText(`${p.between(1, 28)}.${p.between(1, 12)}.${p.between(2023, 2026)}`, 700, y);
    ctx.fillText(p.one(['open', 'paid', 'shipped', 'draft']), 1000, y);
  }
  ctx.fillStyle = '#2563eb';
  ctx.beginPath();
  ctx.roundRect(1230, 105, 160, 44, 8);
  ctx.fill();
  ctx.fillStyle = '#fff';
  ctx.fillText('+ New', 1280, 133);
  return c;
}

function banking(p: Prng, lang: Lang): Canvas {
  const W = 750;
  const H = 1334;
  const c = createCanvas(W, H);
  const ctx = c.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, W, H);
  statusBar(ctx, W, p, false);
  ctx.fillStyle = p.one(['#003d7a', '#e30613', '#00594f']);
  ctx.fillRect(0, 44, W, 260);
  ctx.fillStyle = '#fff';
  ctx.font = font(26, 'IndepSans');
  ctx.fillText(lang === 'de' ? 'Girokonto' : lang === 'fr' ? 'Compte courant' : lang === 'es' ? 'Cuenta corriente' : lang === 'it' ? 'Conto corrente' : lang === 'nl' ? 'Betaalrekening' : 'Current account', 40, 120);
  ctx.font = font(52, 'IndepSans', 'bold');
  ctx.fillText(`${p.between(100, 9999)},${p.between(10, 99)} €`, 40, 200);
  ctx.font = font(24, 'IndepSans');
  for (let r = 0; r < 12; r++) {
    const y = 370 + r * 80;
    ctx.fillStyle = '#222';
    ctx.fillText(p.one(['REWE', 'Amazon', 'Netflix', 'Deutsche Bahn', 'Spotify', 'Shell', 'IKEA', 'Lidl', 'Uber']), 40, y);
    ctx.fillStyle = '#888';
    ctx.font = font(18, 'IndepSans');
    ctx.fillText(`${p.between(1, 28)}.${p.between(1, 12)}.`, 40, y + 28);
    ctx.font = font(24, 'IndepSans');
    ctx.fillStyle = '#c00';
    ctx.textAlign = 'right';
    ctx.fillText(`-${p.between(2, 120)},${p.between(10, 99)}`, W - 40, y);
    ctx.textAlign = 'left';
    ctx.fillStyle = '#eee';
    ctx.fillRect(40, y + 45, W - 80, 1);
  }
  return c;
}

export function drawScreenshot(p: Prng, lang: Lang): { canvas: Canvas; kind: string } {
  const kind = p.one(['chat', 'web', 'bank']);
  return { canvas: kind === 'chat' ? chat(p, lang) : kind === 'web' ? webApp(p, lang) : banking(p, lang), kind };
}
