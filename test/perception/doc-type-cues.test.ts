import { describe, expect, it } from 'vitest';
import { decideDocType } from '../../perception/semantic/doc-type.ts';

/** Strong text and structure cues outweigh a confidently wrong ViT; "photo" only without meaningful text. */
const vit = (top: 'invoice' | 'receipt' | 'screenshot' | 'photo' | 'other', p = 0.93) => {
  const rest = (1 - p) / 4;
  return { invoice: rest, receipt: rest, screenshot: rest, photo: rest, other: rest, [top]: p };
};
const decide = (text: string, v: ReturnType<typeof vit>, aspect = 0.75, extra: Partial<Parameters<typeof decideDocType>[0]> = {}) =>
  decideDocType({ vit: v, text, topText: text.split('\n').slice(0, 4).join(' '), words: text.split(/\s+/).length, aspect, ...extra }).value;

const RECEIPTS = [
  'WALMART\nSupercenter\nST# 5421 OP# 009 TE# 12\nMILK 2.49\nBREAD 1.99\nSUBTOTAL 4.48\nTAX 0.36\nTOTAL 4.84\nCASH TEND 10.00\nCHANGE DUE 5.16\nTHANK YOU FOR SHOPPING',
  'REWE Markt GmbH\nBanane 1,29 A\nMilch 0,99 A\nSUMME EUR 2,28\nGeg. BAR 5,00\nRückgeld 2,72\nSteuer % Netto Steuer Brutto\nA 7% 2,13 0,15 2,28',
  'FamilyMart\nOnigiri 150\nTea 130\nTOTAL ¥280\nCASH ¥1,000\nCHANGE ¥720',
  'CARREFOUR CITY\nPAIN 1,20\nLAIT 0,95\nTOTAL TTC 2,15\nCB 2,15\nTICKET N 0042\nMERCI DE VOTRE VISITE',
  'TAX INVOICE\nBOON SENG PAPER SDN BHD\nGST ID: 001234567\nA4 PAPER 2 x 12.50 25.00\nTOTAL INCL GST 26.50\nCASH 50.00\nCHANGE 23.50',
  'DE LUXE FRESH MART SDN BHD\nCashier: Chu 12/05/18 12:13\nGreen Tea 1.5L 5.00\nKonnyaku 7.00\nITEM: 2 Total with GST @ 6% 12.00\nROUNDING 0.00\nTOTAL 12.00\nTENDER\nCash 50.00\nCHANGE 38.00\nMEMBER 0000036581 Points Earned: 11\nThank You, See You Again',
  '99 SPEED MART S/B\nLOT 2811, JALAN ANGSA\nINVOICE NO : 19385/103/70148\nGULA PASIR 1K RM23.40\nTotal Sales (Inclusive GST) RM 23.60\nCASH RM 24.00\nCHANGE RM 0.40\nThank You. Please come again\nKeep the invoice for applicable returns',
  'STARBUCKS\nTable 12 Server: Anna\nLatte 4.50\nMuffin 3.25\nSubtotal 7.75\nTax 0.62\nTotal 8.37\nVISA **** 4421\nTip ______',
];
const INVOICES = [
  'Kessler Tools GmbH\nRechnung\nRechnungsnummer 4711\nDatum 01.02.2026\nNettobetrag 100,00\nMwSt 19,00\nGesamtbetrag 119,00 EUR\nIBAN DE89 3704 0044 0532 0130 00',
  'INVOICE\nInvoice No 1001\nBill to Globex Ltd\nDescription Qty Amount\nConsulting 10 950\nTotal 950 USD\nPayment terms: Net 30',
  'FACTURE\nN° de facture F-118\nTotal HT 1 200,00\nTVA 240,00\nTotal TTC 1 440,00 €\nÉchéance 26/12/2026',
];
const SCREENSHOTS = [
  '9:41 100%\nMessages\nAnna\nAre we still on for friday?\n10:02\nyes! 7pm at the usual place\n10:05\nType a message',
  'Inbox (12)\nCompose\nStarred\nSent\nDrafts\nFrom: anna@example.com\nSubject: Q3 numbers\nReply Forward',
  '14:22 LTE 87%\nSettings\nWi-Fi\nBluetooth\nNotifications\nBattery\nPrivacy',
  'Dashboard\nOrders today 128\nRevenue 4,210.00\nOpen tickets 7\nSearch\nLog out',
];

describe('document type from text and structure cues', () => {
  it.each(RECEIPTS.map((t, i) => [i, t]))('receipt %i beats a ViT that says photo or other', (_i, t) => {
    expect(decide(t, vit('photo'), 0.45)).toBe('receipt');
    expect(decide(t, vit('other', 0.99), 0.45)).toBe('receipt');
    // A receipt photo's text block is not always narrow (wide paper, a crooked crop); a wide "TAX INVOICE"
    // with only cash and change on it is genuinely ambiguous, so it is left out of this check.
    if (!/TAX INVOICE/.test(t)) expect(decide(t, vit('other', 0.97), 0.62)).toBe('receipt');
  });
  it.each(INVOICES.map((t, i) => [i, t]))('invoice %i beats a ViT that says photo', (_i, t) => {
    expect(decide(t, vit('photo'))).toBe('invoice');
  });
  it.each(SCREENSHOTS.map((t, i) => [i, t]))('screenshot %i beats a ViT that says invoice or photo', (_i, t) => {
    expect(decide(t, vit('invoice'), 0.56)).toBe('screenshot');
    expect(decide(t, vit('photo'), 0.56)).toBe('screenshot');
  });
  it('calls a page "photo" only when it has no meaningful text', () => {
    expect(decide('', vit('photo'))).toBe('photo');
    expect(decide('~ ,. il', vit('photo'))).toBe('photo');
    expect(decide('EXIT', vit('invoice', 0.5))).toBe('photo');
    expect(decide('Kessler Tools GmbH\nRechnung 4711\nGesamt 119,00 EUR\nDanke für Ihren Auftrag', vit('photo', 0.99))).not.toBe('photo');
  });
  it('keeps the ViT when text cues are weak', () => {
    expect(decide('Minutes of the meeting held on Tuesday. Present: Anna, Ben, Chris. Agenda item one was discussed at length and agreed.', vit('other'))).toBe('other');
  });
});
