/**
 * Pages that are not invoices or receipts: photos without text (a landscape, objects on a table) and other
 * documents (a letter, a form with boxes, a calendar month, a menu card).
 */
import { createCanvas, type Canvas } from '@napi-rs/canvas';
import type { Prng } from './prng.ts';
import { font } from './fonts.ts';
import { WORDS, type Lang } from './locale.ts';

export function drawPhoto(p: Prng): Canvas {
  const W = 1200;
  const H = 900;
  const c = createCanvas(W, H);
  const ctx = c.getContext('2d');
  if (p.yes(0.5)) {
    const sky = ctx.createLinearGradient(0, 0, 0, H * 0.6);
    sky.addColorStop(0, p.one(['#3b6ea8', '#f4a261', '#7fb3d5']));
    sky.addColorStop(1, p.one(['#cfe3f2', '#ffd6a5', '#e9f5fb']));
    ctx.fillStyle = sky;
    ctx.fillRect(0, 0, W, H);
    ctx.fillStyle = '#fff6b0';
    ctx.beginPath();
    ctx.arc(p.between(100, 1100), p.between(80, 250), p.between(30, 70), 0, Math.PI * 2);
    ctx.fill();
    for (let i = 0; i < 4; i++) {
      ctx.fillStyle = ['#4d6b3c', '#5f7f46', '#3e5a31', '#789a5a'][i];
      ctx.beginPath();
      ctx.moveTo(0, H);
      for (let x = 0; x <= W; x += 40) ctx.lineTo(x, H * (0.55 + i * 0.1) + Math.sin(x / p.real(80, 200) + i) * p.real(10, 50));
      ctx.lineTo(W, H);
      ctx.fill();
    }
  } else {
    ctx.fillStyle = p.one(['#8b5a2b', '#a0522d', '#6b4f3a', '#d9d2c5']);
    ctx.fillRect(0, 0, W, H);
    for (let i = 0; i < 60; i++) {
      ctx.strokeStyle = `rgba(0,0,0,${p.real(0.03, 0.1)})`;
      ctx.beginPath();
      const y = p.between(0, H);
      ctx.moveTo(0, y);
      ctx.bezierCurveTo(W / 3, y + p.between(-20, 20), (2 * W) / 3, y + p.between(-20, 20), W, y + p.between(-10, 10));
      ctx.stroke();
    }
    for (let i = 0; i < p.between(2, 5); i++) {
      const x = p.between(150, 1050);
      const y = p.between(150, 750);
      const r = p.between(50, 140);
      const g = ctx.createRadialGradient(x - r / 3, y - r / 3, r / 6, x, y, r);
      g.addColorStop(0, '#ffffff');
      g.addColorStop(1, p.one(['#c0392b', '#2980b9', '#f1c40f', '#27ae60', '#7f8c8d']));
      ctx.fillStyle = 'rgba(0,0,0,0.25)';
      ctx.beginPath();
      ctx.ellipse(x + r * 0.25, y + r * 0.3, r, r * 0.8, 0, 0, Math.PI * 2);
      ctx.fill();
      ctx.fillStyle = g;
      ctx.beginPath();
      ctx.arc(x, y, r, 0, Math.PI * 2);
      ctx.fill();
    }
  }
  return c;
}

const LETTER: Record<Lang, string[]> = {
  en: ['Dear Ms Carter,', 'thank you for your letter of last week. We are pleased to confirm the meeting', 'at our office next month and look forward to discussing the project plan.', 'Please let us know if the date does not suit you.', 'Kind regards,'],
  de: ['Sehr geehrte Frau Keller,', 'vielen Dank für Ihr Schreiben der letzten Woche. Gern bestätigen wir den Termin', 'in unserem Büro im nächsten Monat und freuen uns auf das Gespräch.', 'Bitte geben Sie uns Bescheid, falls der Termin nicht passt.', 'Mit freundlichen Grüßen'],
  fr: ['Madame,', 'nous vous remercions de votre courrier de la semaine dernière et confirmons', 'le rendez-vous dans nos locaux le mois prochain.', "N'hésitez pas à nous contacter si la date ne vous convient pas.", 'Veuillez agréer nos salutations distinguées.'],
  es: ['Estimada Sra. López:', 'Le agradecemos su carta de la semana pasada y confirmamos la reunión', 'en nuestras oficinas el próximo mes.', 'Indíquenos si la fecha no le viene bien.', 'Atentamente,'],
  it: ['Gentile Sig.ra Bianchi,', 'la ringraziamo per la sua lettera della scorsa settimana e confermiamo', "l'incontro presso i nostri uffici il mese prossimo.", 'Ci faccia sapere se la data non è adatta.', 'Cordiali saluti,'],
  nl: ['Geachte mevrouw Jansen,', 'hartelijk dank voor uw brief van vorige week. Graag bevestigen wij de afspraak', 'op ons kantoor volgende maand.', 'Laat het ons weten als de datum niet schikt.', 'Met vriendelijke groet,'],
};

export function drawOther(p: Prng, lang: Lang): { canvas: Canvas; kind: string } {
  const W = 1000;
  const H = 1414;
  const c = createCanvas(W, H);
  const ctx = c.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  ctx.fillStyle = '#111';
  ctx.textAlign = 'left';
  const kind = p.one(['letter', 'form', 'calendar', 'menu']);
  if (kind === 'letter') {
    ctx.font = font(20, 'IndepSerif');
    LETTER[lang].forEach((l, i) => ctx.fillText(l, 100, 400 + i * (i === 0 || i === 3 ? 60 : 34)));
    ctx.font = font(22, 'IndepSerif', 'italic');
    ctx.fillText('J. Morel', 100, 720);
  } else if (kind === 'form') {
    ctx.font = font(30, 'IndepSans', 'bold');
    ctx.fillText(lang === 'de' ? 'Anmeldeformular' : lang === 'fr' ? "Formulaire d'inscription" : lang === 'es' ? 'Formulario de inscripción' : lang === 'it' ? 'Modulo di iscrizione' : lang === 'nl' ? 'Aanmeldformulier' : 'Registration form', 80, 120);
    ctx.font = font(19, 'IndepSans');
    for (let i = 0; i < 12; i++) {
      const y = 200 + i * 80;
      ctx.fillText(`${i + 1}.`, 80, y);
      ctx.strokeStyle = '#555';
      ctx.strokeRect(130, y - 35, 780, 50);
      if (p.yes(0.3)) ctx.strokeRect(880, y - 25, 22, 22);
    }
  } else if (kind === 'calendar') {
    const month = WORDS[lang].months[p.between(0, 11)];
    ctx.font = font(44, 'IndepSerif', 'bold');
    ctx.fillText(`${month} ${p.between(2024, 2027)}`, 80, 140);
    ctx.font = font(22, 'IndepSans');
    for (let d = 0; d < 35; d++) {
      const x = 80 + (d % 7) * 120;
      const y = 220 + Math.floor(d / 7) * 150;
      ctx.strokeStyle = '#bbb';
      ctx.strokeRect(x, y, 120, 150);
      if (d < 31) ctx.fillText(String(d + 1), x + 10, y + 30);
    }
  } else {
    ctx.textAlign = 'center';
    ctx.font = font(48, 'IndepSerif', 'italic');
    ctx.fillText(p.one(['Trattoria Sole', 'Le Petit Jardin', 'Gasthaus Linde', 'Casa Marina']), W / 2, 160);
    ctx.font = font(24, 'IndepSerif');
    for (let i = 0; i < 12; i++) ctx.fillText(`${p.one(['Risotto', 'Soupe du jour', 'Schnitzel', 'Paella', 'Tiramisù', 'Salade'])} ····· ${p.between(6, 29)}`, W / 2, 280 + i * 70);
  }
  return { canvas: c, kind };
}
