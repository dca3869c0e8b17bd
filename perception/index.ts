/**
 * perception/: turns a receipt photo, a supplier's PDF or a screenshot into typed business data
 * (document type, invoice fields with confidences and sources, screenshot layout and gist).
 * A library first: the coordinator runs it inside agent jobs, the CLI (`coo perceive`) and tests call it directly.
 */
import { resolve } from 'node:path';
import { parsePerceptionConfig, type PerceptionConfig, type PerceptionOptions } from './config.ts';
import { createTesseractOcr } from './ocr/tesseract.adapter.ts';
import { createPipeline, type PerceiveOptions } from './pipeline.ts';
import type { PerceiveInput } from './intake/read-input.ts';
import type { PerceptionResult } from './result.schema.ts';
import type { DocClassifier } from './vit/classifier.port.ts';
import { ensureBackend, type BackendInfo } from './vit/backend.ts';
import { loadVitClassifier, SHIPPED_MODEL_DIR } from './vit/vit.classifier.ts';

export { PerceptionConfigSchema, parsePerceptionConfig, perceptionConfigFromEnv } from './config.ts';
export type { PerceptionConfig, PerceptionOptions } from './config.ts';
export { PerceptionError, isPerceptionError, PERCEPTION_ERROR_CODES } from './errors.ts';
export type { PerceptionErrorCode } from './errors.ts';
export { PerceptionResultSchema, InvoiceFieldsSchema, ScreenshotSchema, LineItemSchema, BoxSchema, WordSchema } from './result.schema.ts';
export type { PerceptionResult, InvoiceFields, ScreenshotInfo, LineItem, Box, Word } from './result.schema.ts';
export type { PerceiveInput } from './intake/read-input.ts';
export type { PerceiveOptions } from './pipeline.ts';
export { DOC_TYPES } from './vit/vit.model.ts';
export type { DocType } from './vit/vit.model.ts';
export { embeddingSimilarity } from './vit/vit.classifier.ts';
export { parseAmount, findAmounts } from './semantic/amount.ts';
export { parseDate, findDates } from './semantic/date.ts';
export { findCurrencies } from './semantic/currency.ts';
export { extractInvoiceFields } from './semantic/fields.ts';

export interface Perception {
  perceive(input: PerceiveInput, opts?: PerceiveOptions): Promise<PerceptionResult>;
  /** Stops the OCR workers and frees the model. The instance cannot be used afterwards. */
  close(): Promise<void>;
  /** The tfjs backend in use ("wasm", "cpu", "tensorflow (tfjs-node)"…), or "initialising". */
  backend(): string;
}

/**
 * Builds a perception instance. The tfjs backend is chosen now; the ViT and OCR workers load lazily on the
 * first document and then stay warm. Pass a parsed config or raw options (validated here).
 */
export function createPerception(options: PerceptionOptions | PerceptionConfig = {}): Perception {
  const config = parsePerceptionConfig(options);
  const backendReady = ensureBackend(config.tfBackend);
  let backendName = 'initialising';
  backendReady.then((b) => (backendName = b.backend)).catch(() => undefined);
  const ocr = createTesseractOcr({ langs: config.ocrLangs, workers: config.ocrWorkers });
  let clf: Promise<DocClassifier> | null = null;
  const classifier = (): Promise<DocClassifier> => {
    if (!clf) {
      clf = backendReady.then((b) => loadVitClassifier(resolve(config.vitModelPath ?? SHIPPED_MODEL_DIR), b.backend));
      clf.catch(() => (clf = null));
    }
    return clf;
  };
  const run = createPipeline({ config, ocr, classifier, backend: () => backendName });
  let closed = false;
  return {
    async perceive(input, opts) {
      if (closed) throw new Error('perception instance is closed');
      await backendReady;
      return run(input, opts);
    },
    async close() {
      closed = true;
      await ocr.close();
      if (clf) await (await clf.catch(() => null))?.close();
    },
    backend: () => backendName,
  };
}

export interface BackendDescription {
  tfjs: BackendInfo;
  model: string;
  ocr: { languages: string[] };
}

/** What `coo doctor` prints: the chosen tfjs backend (and what else was tried), the ViT, the OCR languages. */
export async function describeBackend(options: PerceptionOptions | PerceptionConfig = {}): Promise<BackendDescription> {
  const config = parsePerceptionConfig(options);
  const tfjs = await ensureBackend(config.tfBackend);
  let model: string;
  try {
    const c = await loadVitClassifier(resolve(config.vitModelPath ?? SHIPPED_MODEL_DIR), tfjs.backend);
    model = c.describe();
    await c.close();
  } catch (e) {
    model = `unavailable: ${(e as Error).message}`;
  }
  return { tfjs, model, ocr: { languages: config.ocrLangs.split('+') } };
}

// Running inside the coordinator: the document-intake process and its wiring.
export { createPerceptionLayer, chatSummary } from './coordinator/perception.layer.ts';
export { documentIntake, type ReadOutcome } from './coordinator/document-intake.process.ts';
