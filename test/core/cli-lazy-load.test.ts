import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCoo, type CliResult } from '../support/coo-cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { testQueuePrefix } from '../support/redis.ts';
import { TEST_REDIS_URL } from '../support/services.ts';

// §4 "A CLI that answers at once": a command loads what it needs and nothing more. Read from a trace of
// every module the child loaded and every file it read (test/support/module-trace.mjs), never from a clock.
let t: TestDatabase;
const q = testQueuePrefix();
let env: Record<string, string>;
beforeAll(async () => {
  t = await createTestDatabase();
  env = { DATABASE_URL: t.url, REDIS_URL: TEST_REDIS_URL, COO_QUEUE_PREFIX: q.prefix, COO_CHROMA_URL: '', LOG_LEVEL: 'warn' };
});
afterAll(async () => {
  await q.cleanup();
  await t?.drop();
});

/** What no everyday command may load: tfjs, OCR, PDF and image code, perception itself, the word vectors. */
const HEAVY = [/@tensorflow\//, /tesseract/, /pdfjs-dist/, /\/sharp\//, /@napi-rs\/canvas/, /\/perception\/index\.ts/, /\/perception\/(pipeline\.ts|ocr\/|vit\/|semantic\/|intake\/|model\/)/];
/**
 * Perception's pure value parsers, which the chat layer uses to refuse an unreadable upload by its magic
 * bytes and to offer the amounts and dates printed in a document as one-tap corrections: dependency-free
 * modules (they import only each other and the error type), loaded with the perception layer itself.
 */
const PURE_PARSERS = /\/perception\/(intake\/sniff|semantic\/(amount|date|normalize))\.ts$/;
const WORD_VECTORS = /memory\/embedding\/data\//;
/** SDKs loaded on their first call: a command that calls no model and touches no vector never loads them. */
const SDKS = [/\/node_modules\/openai\//, /\/node_modules\/chromadb\//];

function heavyIn(r: CliResult): string[] {
  return [...r.modules.filter((m) => HEAVY.some((h) => h.test(m)) && !PURE_PARSERS.test(m)), ...r.reads.filter((p) => WORD_VECTORS.test(p))];
}

describe('coo loads only what a command needs', () => {
  it('coo --help (and a command\'s --help) loads the command descriptors only: no coordinator, AI layer, memory, perception, chat, Prisma or model SDK', async () => {
    for (const args of [['--help'], ['status', '--help'], ['perceive', '--help']]) {
      const r = await runCoo(args, env, { trace: true });
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).toMatch(/Usage: coo/);
      const ours = r.modules.filter((m) => !/\/node_modules\/(tsx|esbuild|commander)\//.test(m) && !m.startsWith('node:'));
      // The trace works: it saw the CLI itself.
      expect(ours.some((m) => m.endsWith('/scripts/cli.ts'))).toBe(true);
      expect(ours.filter((m) => !/\/scripts\/(cli|roles)\.ts$|\/scripts\/commands\//.test(m)), args.join(' ')).toEqual([]);
    }
  });

  it.each([
    [['status']],
    [['runs']],
    [['say', '/help']],
    [['processes', '--json']],
  ])('coo %j composes the COO yet loads no tfjs, OCR, PDF, perception, word vectors, model or Chroma SDK', async (args) => {
    const r = await runCoo(args, env, { trace: true });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // It did load the full composition: the coordinator, the AI layer and perception's light descriptor.
    expect(r.modules.some((m) => m.endsWith('/coordinator/index.ts'))).toBe(true);
    expect(r.modules.some((m) => m.endsWith('/agents/index.ts'))).toBe(true);
    expect(r.modules.some((m) => m.endsWith('/perception/coordinator/perception.layer.ts'))).toBe(true);
    expect(heavyIn(r)).toEqual([]);
    expect(r.modules.filter((m) => SDKS.some((x) => x.test(m)))).toEqual([]);
  });

  it('with a model and Chroma configured, coo status and coo say /help still load neither SDK (they call no model and query no vector)', async () => {
    const configured = { ...env, COO_MODEL_BASE_URL: 'http://127.0.0.1:9/v1', COO_MODEL_FAST: 'fast-1', COO_CHROMA_URL: 'http://127.0.0.1:9' };
    for (const args of [['status'], ['say', '/help']]) {
      const r = await runCoo(args, configured, { trace: true });
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.modules.some((m) => m.endsWith('/agents/model/openai.adapter.ts')), args.join(' ')).toBe(true);
      expect(r.modules.filter((m) => SDKS.some((x) => x.test(m))), args.join(' ')).toEqual([]);
      expect(heavyIn(r), args.join(' ')).toEqual([]);
    }
  });

  it('coo show <run> loads none of them either', async () => {
    const r = await runCoo(['show', 'run_that_is_not_there'], env, { trace: true });
    expect(r.stderr).toMatch(/There is no run "run_that_is_not_there"/);
    expect(r.modules.some((m) => m.endsWith('/coordinator/index.ts'))).toBe(true);
    expect(heavyIn(r)).toEqual([]);
  });
});
