import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { PerceptionError } from './errors.ts';

/**
 * Perception options. Validated once when the pipeline is created; the only place in perception/ that reads
 * process.env (through `perceptionConfigFromEnv`). Library callers pass options directly.
 */
export const PerceptionConfigSchema = z.object({
  /** Largest accepted file; bigger files fail fast with `too_large` before being decoded. */
  maxBytes: z.number().int().positive().default(20 * 1024 * 1024),
  /** Most pages processed per document. */
  maxPages: z.number().int().positive().max(1000).default(50),
  /**
   * What to do with documents over `maxPages`: `error` (default) refuses with `too_many_pages`, so the operator is
   * never misled by totals from a partial read; `truncate` processes the first `maxPages` and adds a warning.
   */
  pageOverflow: z.enum(['error', 'truncate']).default('error'),
  /** Wall-clock budget per document; pages left when it runs out are skipped with a warning. */
  timeBudgetMs: z.number().int().positive().default(120_000),
  /** Decoded pixel cap (sharp `limitInputPixels`), checked from the header before decoding. */
  maxInputPixels: z.number().int().positive().default(50_000_000),
  /** Longest side pages are normalised to before OCR; bounds memory and OCR time. */
  maxSide: z.number().int().min(256).max(8000).default(1800),
  /** Tesseract languages, `+`-separated ISO 639-2 codes whose data ships in @tesseract.js-data packages. */
  ocrLangs: z
    .string()
    .regex(/^[a-z_]{3,8}(\+[a-z_]{3,8})*$/, 'use codes like eng+deu+fra+spa')
    .default('eng+deu+fra+spa'),
  /** OCR workers kept alive; one per core at most. */
  ocrWorkers: z.number().int().min(1).max(8).default(Math.max(1, Math.min(2, availableParallelism() - 1))),
  /** A tfjs layers-format ViT folder (model.json + weights) to use instead of the shipped one. */
  vitModelPath: z.string().min(1).optional(),
  /** tfjs backend: `auto` tries tfjs-node-gpu, tfjs-node, then wasm, then cpu. */
  tfBackend: z.enum(['auto', 'node-gpu', 'node', 'wasm', 'cpu']).default('auto'),
  /** Fields under this confidence are listed in `lowConfidence` for a one-tap fix. */
  lowConfidenceThreshold: z.number().min(0).max(1).default(0.6),
});

export type PerceptionConfig = z.infer<typeof PerceptionConfigSchema>;
export type PerceptionOptions = z.input<typeof PerceptionConfigSchema>;

/** Validates options, turning zod issues into one operator-readable `config_invalid` error. */
export function parsePerceptionConfig(options: PerceptionOptions = {}): PerceptionConfig {
  const r = PerceptionConfigSchema.safeParse(options);
  if (!r.success) {
    const msg = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new PerceptionError('config_invalid', `Perception settings are invalid (${msg}).`);
  }
  return r.data;
}

const num = (v: string | undefined): number | undefined => (v === undefined || v === '' ? undefined : Number(v));

/** Reads COO_* perception settings from the environment (COO_VIT_MODEL_PATH, COO_OCR_LANGS, …). */
export function perceptionConfigFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: PerceptionOptions = {}): PerceptionConfig {
  const fromEnv: PerceptionOptions = {
    maxBytes: num(env.COO_PERCEPTION_MAX_BYTES),
    maxPages: num(env.COO_PERCEPTION_MAX_PAGES),
    pageOverflow: env.COO_PERCEPTION_PAGE_OVERFLOW as PerceptionOptions['pageOverflow'],
    timeBudgetMs: num(env.COO_PERCEPTION_TIME_BUDGET_MS),
    ocrLangs: env.COO_OCR_LANGS || undefined,
    ocrWorkers: num(env.COO_OCR_WORKERS),
    vitModelPath: env.COO_VIT_MODEL_PATH || undefined,
    tfBackend: env.COO_TF_BACKEND as PerceptionOptions['tfBackend'],
  };
  const clean = Object.fromEntries(Object.entries(fromEnv).filter(([, v]) => v !== undefined));
  return parsePerceptionConfig({ ...clean, ...overrides });
}
