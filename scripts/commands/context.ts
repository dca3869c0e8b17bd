import type { AiLayer } from '../../agents/index.ts';
import type { Coordinator } from '../../coordinator/index.ts';

/**
 * Runs a CLI action against the COO that every surface runs (scripts/composition.ts: the coordinator
 * with the AI layer and perception plugged in), created for it with no workers and no loops, closed
 * after. Loaded on use: `coo --help` and a mistyped command pay for none of it.
 */
export async function withCoordinator<T>(fn: (c: Coordinator, ai: AiLayer) => Promise<T>): Promise<T> {
  const [{ composeCoordinator }, { createLogger }] = await Promise.all([import('../composition.ts'), import('../../coordinator/index.ts')]);
  const { coordinator, ai } = await composeCoordinator({ log: createLogger({ level: 'warn' }), ai: { vectorUpkeep: false } });
  try {
    return await fn(coordinator, ai);
  } finally {
    await coordinator.stop();
  }
}

/** Prints data as JSON (for scripts) or as the human text. */
export function output(json: boolean, data: unknown, human: () => string): void {
  console.log(json ? JSON.stringify(data, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2) : human());
}

/**
 * An AppError is known by its stable code and flags (coordinator/errors.ts says why: instanceof does
 * not survive a queue), so this module needs no import of the coordinator to recognise one.
 */
function isAppError(err: unknown): err is Error & { code: string } {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'string' && typeof (err as { retryable?: unknown }).retryable === 'boolean';
}

/** One line for the operator and a non-zero exit; stack traces only with DEBUG=coo. */
export function fail(err: unknown): never {
  const e = err as Error & { code?: string };
  if (isAppError(err)) console.error(e.message);
  else if (/ECONNREFUSED|Can't reach database|connect/i.test(e.message ?? '')) console.error(`Cannot reach a service (${e.message}). Run \`coo doctor\` to see what to fix.`);
  else console.error(`Failed: ${e.message ?? String(err)}`);
  if (process.argv.includes('--debug')) console.error(e.stack);
  process.exit(1);
}
