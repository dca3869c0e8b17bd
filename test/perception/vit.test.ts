import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { ensureBackend } from '../../perception/vit/backend.ts';
import { loadVitClassifier, embeddingSimilarity, SHIPPED_MODEL_DIR } from '../../perception/vit/vit.classifier.ts';
import type { DocClassifier } from '../../perception/vit/classifier.port.ts';
import { DOC_TYPES } from '../../perception/vit/vit.model.ts';

const DIR = 'test/fixtures/perception';
let clf: DocClassifier;

async function grey(file: string): Promise<{ data: Buffer; w: number; h: number }> {
  const { data, info } = await sharp(join(DIR, file)).rotate().greyscale().resize({ width: 1200, height: 1200, fit: 'inside' }).raw().toBuffer({ resolveWithObject: true });
  return { data, w: info.width, h: info.height };
}

beforeAll(async () => {
  const b = await ensureBackend('auto');
  clf = await loadVitClassifier(SHIPPED_MODEL_DIR, b.backend);
});
afterAll(() => clf.close());

describe('the shipped ViT', () => {
  it('loads from perception/model and describes itself for coo doctor', () => {
    expect(clf.describe()).toMatch(/ViT \d+ parameters .* on tfjs backend "(wasm|cpu|tensorflow.*)"/);
  });

  it.each([
    ['01-invoice-en-png.png', 'invoice'],
    ['07-invoice-de-png.png', 'invoice'],
    ['25-receipt-en-png.png', 'receipt'],
    ['43-screenshot-xx-png.png', 'screenshot'],
    ['51-photo-xx-jpeg.jpg', 'photo'],
  ])('classifies %s as %s from pixels alone', async (file, type) => {
    const g = await grey(file);
    const r = await clf.classify(g.data, g.w, g.h);
    const top = DOC_TYPES.reduce((a, b) => (r.probs[a] >= r.probs[b] ? a : b));
    expect(top).toBe(type);
    expect(Object.values(r.probs).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
  });

  it('embeds pages so that two invoices are closer to each other than to a photo', async () => {
    const [a, b, c] = await Promise.all(['01-invoice-en-png.png', '13-invoice-fr-png.png', '52-photo-xx-jpeg.jpg'].map(grey));
    const ea = (await clf.classify(a.data, a.w, a.h)).embedding;
    const eb = (await clf.classify(b.data, b.w, b.h)).embedding;
    const ec = (await clf.classify(c.data, c.w, c.h)).embedding;
    expect(Math.hypot(...ea)).toBeCloseTo(1, 3);
    expect(embeddingSimilarity(ea, eb)).toBeGreaterThan(embeddingSimilarity(ea, ec));
  });

  it('rejects a folder without a model, and a model with the wrong number of classes', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'coo-vit-'));
    await expect(loadVitClassifier(empty)).rejects.toMatchObject({ code: 'model_invalid' });
    const tf = await import('@tensorflow/tfjs');
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [64, 256], units: 3, activation: 'softmax' })] });
    const { dirSaveHandler } = await import('../../perception/vit/vit.io.ts');
    const bad = mkdtempSync(join(tmpdir(), 'coo-vit-'));
    await m.save(dirSaveHandler(bad));
    await expect(loadVitClassifier(bad)).rejects.toMatchObject({ code: 'model_invalid' });
    writeFileSync(join(bad, 'model.json'), '{not json');
    await expect(loadVitClassifier(bad)).rejects.toMatchObject({ code: 'model_invalid' });
  });
});

describe('backend selection', () => {
  it('leaves the host process without the rethrowing handlers the wasm runtime installs', () => {
    // Raw tfjs-backend-wasm adds one uncaughtException and one unhandledRejection handler that rethrow.
    expect(process.listeners('unhandledRejection').filter((l) => /throw reason/.test(String(l)))).toEqual([]);
    expect(process.listeners('uncaughtException').filter((l) => /ExitStatus/.test(String(l)))).toEqual([]);
  });
});

describe('describeBackend (coo doctor)', () => {
  it('reports the chosen backend, what else was tried, the model and the OCR languages', async () => {
    const { describeBackend } = await import('../../perception/index.ts');
    const d = await describeBackend({ ocrLangs: 'eng+deu' });
    expect(['wasm', 'cpu']).toContain(d.tfjs.backend);
    expect(d.tfjs.tried.find((t) => t.name === 'tfjs-node')).toMatchObject({ ok: false, note: 'not installed' });
    expect(d.model).toMatch(/ViT \d+ parameters/);
    expect(d.ocr.languages).toEqual(['eng', 'deu']);
  });
});
