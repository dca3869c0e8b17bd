import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createPipeline } from '../../perception/pipeline.ts';
import { parsePerceptionConfig } from '../../perception/config.ts';
import type { OcrPage, OcrPort } from '../../perception/ocr/ocr.port.ts';
import type { DocClassifier } from '../../perception/vit/classifier.port.ts';
import type { Word } from '../../perception/result.schema.ts';
import { page } from './support/words.ts';

/**
 * The document type does not gate extraction: a confidently wrong ViT ("photo") must not stop a page with text
 * from being read, and the sparse-text OCR retry runs whenever text is sparse, whatever the type.
 */
function fakes(probs: Record<'invoice' | 'receipt' | 'screenshot' | 'photo' | 'other', number>, words: Word[], sparseWords?: Word[]) {
  const modes: string[] = [];
  const ocr: OcrPort = {
    async recognize(_img, _page, opts) {
      modes.push(opts?.mode ?? 'layout');
      const ws = opts?.mode === 'sparse' && sparseWords ? sparseWords : words;
      return { words: ws, confidence: ws.length ? 0.9 : null, text: ws.map((w) => w.text).join(' ') } satisfies OcrPage;
    },
    languages: () => ['eng'],
    close: async () => undefined,
  };
  const clf: DocClassifier = { classify: async () => ({ probs, embedding: [1], ms: 1 }), describe: () => 'fake', close: async () => undefined };
  const perceive = createPipeline({ config: parsePerceptionConfig({ ocrWorkers: 1 }), ocr, classifier: async () => clf, backend: () => 'fake' });
  return { perceive, modes };
}

async function noisyImage(): Promise<Buffer> {
  const w = 600;
  const h = 900;
  const px = Buffer.alloc(w * h);
  for (let i = 0; i < px.length; i++) px[i] = 150 + ((i * 7919) % 97);
  return sharp(px, { raw: { width: w, height: h, channels: 1 } }).png().toBuffer();
}

const RECEIPT = page([
  [20, [[60, 'CORNER MARKET']]],
  [60, [[60, '12 High Street']]],
  [100, [[20, 'Milk'], [300, '1.20']]],
  [130, [[20, 'Bread'], [300, '2.49']]],
  [160, [[20, 'Eggs'], [300, '3.99']]],
  [200, [[20, 'TOTAL'], [300, '7.68']]],
  [230, [[20, 'CASH'], [300, '10.00']]],
  [260, [[20, 'CHANGE'], [300, '2.32']]],
  [300, [[20, '12/03/2026 14:02']]],
  [330, [[20, 'THANK YOU FOR SHOPPING']]],
]);

/** A scanned till slip in the style of Malaysian receipts: few of the usual receipt words. */
const SLIP = page([
  [20, [[60, 'KEDAI RUNCIT MAJU SDN BHD']]],
  [50, [[60, 'NO 12 JALAN BESAR']]],
  [90, [[20, 'ITEM A'], [300, '1.20']]],
  [120, [[20, 'ITEM B'], [300, '2.49']]],
  [160, [[20, 'TOTAL RM'], [300, '3.69']]],
  [200, [[20, '12/03/2026']]],
]);
const LETTER = page([
  [20, [[60, 'Kessler Tools GmbH']]],
  [60, [[60, 'Rechnung 4711 vom 01.02.2026']]],
  [100, [[60, 'Für die Lieferung der bestellten Werkzeuge berechnen wir Ihnen wie vereinbart']]],
  [140, [[60, 'Gesamtbetrag 119,00 EUR']]],
]);

describe('document type does not gate extraction', () => {
  it('reads an invoice the ViT is sure is a photo', async () => {
    const { perceive } = fakes({ invoice: 0.01, receipt: 0.01, screenshot: 0.01, photo: 0.96, other: 0.01 }, LETTER);
    const r = await perceive({ bytes: await noisyImage() });
    expect(r.isDocument).toBe(true);
    expect(r.docType.value).not.toBe('photo');
    expect(r.invoice?.total.value).toBe(119);
    expect(r.invoice?.issueDate.value).toBe('2026-02-01');
  });

  it('reads a receipt the ViT is sure is a photo', async () => {
    const { perceive } = fakes({ invoice: 0.01, receipt: 0.01, screenshot: 0.01, photo: 0.96, other: 0.01 }, RECEIPT);
    const r = await perceive({ bytes: await noisyImage() });
    expect(r.invoice?.total.value).toBe(7.68);
    expect(r.invoice?.issueDate.value).toBe('2026-03-12');
  });

  it('gives fields to a receipt the ViT calls "other"', async () => {
    const { perceive } = fakes({ invoice: 0.02, receipt: 0.02, screenshot: 0.02, photo: 0.02, other: 0.92 }, SLIP);
    const r = await perceive({ bytes: await noisyImage() });
    expect([r.invoice?.total.value, r.invoice?.currency.value]).toEqual([3.69, 'MYR']);
  });

  it('still calls a picture without meaningful text a photo', async () => {
    const { perceive } = fakes({ invoice: 0.3, receipt: 0.1, screenshot: 0.1, photo: 0.4, other: 0.1 }, page([[20, [[60, '~ il']]]]));
    const r = await perceive({ bytes: await noisyImage() });
    expect(r.docType.value).toBe('photo');
    expect(r.isDocument).toBe(false);
  });

  it('runs the sparse-text OCR retry on sparse text even when the ViT says photo, and keeps the better read', async () => {
    const few = page([[20, [[60, 'CORNER MARKET']]], [200, [[20, 'Milk']]]]);
    const { perceive, modes } = fakes({ invoice: 0.01, receipt: 0.01, screenshot: 0.01, photo: 0.96, other: 0.01 }, few, RECEIPT);
    const r = await perceive({ bytes: await noisyImage() });
    expect(modes).toContain('sparse');
    expect(r.invoice?.total.value).toBe(7.68);
  });

  it('re-reads a poorly read photo with lighting flattened, but keeps the first read when the re-read loses its words', async () => {
    const first = page([
      [20, [[60, 'Schmidt Logistics Ltd']]],
      [60, [[60, 'Gran Via 28 London']]],
      [100, [[60, 'TAX INVOICE number A-1628 issued 26.09.2026 customer Anna Weber Kerkstraat Amsterdam']]],
      [300, [[60, 'Total due'], [300, '$121.81']]],
    ]);
    const richer = page([
      [100, [[60, 'TAX INVOICE number A-1628 issued 26.09.2026']]],
      [200, [[60, 'Net amount'], [300, '$101.51']]],
      [230, [[60, 'VAT 20%'], [300, '$20.30']]],
      [260, [[60, 'Domain renewal 1 101.51 101.51']]],
      [300, [[60, 'Total due'], [300, '$121.81']]],
    ]);
    const reads = [first, richer, richer, richer];
    let n = 0;
    const ocr: OcrPort = {
      async recognize() {
        const ws = reads[Math.min(n++, reads.length - 1)];
        return { words: ws, confidence: 0.9, text: ws.map((w) => w.text).join(' ') };
      },
      languages: () => ['eng'],
      close: async () => undefined,
    };
    const clf: DocClassifier = { classify: async () => ({ probs: { invoice: 0.9, receipt: 0.025, screenshot: 0.025, photo: 0.025, other: 0.025 }, embedding: [1], ms: 1 }), describe: () => 'fake', close: async () => undefined };
    const perceive = createPipeline({ config: parsePerceptionConfig({ ocrWorkers: 1 }), ocr, classifier: async () => clf, backend: () => 'fake' });
    const r = await perceive({ bytes: await noisyImage() });
    expect(n).toBeGreaterThanOrEqual(2);
    expect(r.invoice?.vendor.value).toBe('Schmidt Logistics Ltd');
    expect(r.warnings.join(' ')).not.toMatch(/lighting/);
  });

  it('spends no rotation or re-lighting passes on a picture in which OCR found nothing, but still tries sparse text', async () => {
    const { perceive, modes } = fakes({ invoice: 0.01, receipt: 0.01, screenshot: 0.01, photo: 0.96, other: 0.01 }, []);
    const r = await perceive({ bytes: await noisyImage() });
    expect(modes).toEqual(['layout', 'sparse']);
    expect(r.isDocument).toBe(false);
  });
});
