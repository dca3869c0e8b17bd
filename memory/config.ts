import 'dotenv/config';
import { z } from 'zod';
import { ConfigError } from '../coordinator/errors.ts';

/** Memory configuration. Chroma is optional at run time: when it is down retrieval uses Postgres only. */
export const MemoryConfigSchema = z.object({
  COO_CHROMA_URL: z.string().url().default('http://127.0.0.1:8000'),
  COO_CHROMA_COLLECTION: z.string().regex(/^[a-zA-Z0-9_-]{3,48}$/).default('coo_memory'),
  /** Dimensions of the built-in hashed embedder. */
  COO_MEMORY_EMBED_DIMS: z.coerce.number().int().min(32).max(4096).default(384),
  COO_MEMORY_MIN_SIMILARITY: z.coerce.number().min(-1).max(1).default(0.1),
  COO_MEMORY_RECENCY_HALF_LIFE_DAYS: z.coerce.number().positive().default(90),
  COO_DATA_DIR: z.string().default('.coo'),
});
export type MemoryConfig = z.infer<typeof MemoryConfigSchema>;

export function loadMemoryConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<MemoryConfig> = {}): MemoryConfig {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(MemoryConfigSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') picked[key] = v;
  }
  const parsed = MemoryConfigSchema.safeParse({ ...picked, ...overrides });
  if (!parsed.success) {
    throw new ConfigError(`Invalid memory configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  return parsed.data;
}
