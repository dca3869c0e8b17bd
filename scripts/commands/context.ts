import { AppError, type Coordinator, createCoordinator } from '../../coordinator/index.ts';
import { createLogger } from '../../coordinator/logger.ts';

/** Runs a CLI action against a coordinator that is created for it (no workers, no loops) and closed after. */
export async function withCoordinator<T>(fn: (c: Coordinator) => Promise<T>): Promise<T> {
  const c = await createCoordinator({ log: createLogger({ level: 'warn' }) });
  try {
    return await fn(c);
  } finally {
    await c.stop();
  }
}

/** Prints data as JSON (for scripts) or as the human text. */
export function output(json: boolean, data: unknown, human: () => string): void {
  console.log(json ? JSON.stringify(data, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2) : human());
}

/** One line for the operator and a non-zero exit; stack traces only with DEBUG=coo. */
export function fail(err: unknown): never {
  const e = err as Error & { code?: string };
  if (err instanceof AppError) console.error(e.message);
  else if (/ECONNREFUSED|Can't reach database|connect/i.test(e.message ?? '')) console.error(`Cannot reach a service (${e.message}). Run \`coo doctor\` to see what to fix.`);
  else console.error(`Failed: ${e.message ?? String(err)}`);
  if (process.argv.includes('--debug')) console.error(e.stack);
  process.exit(1);
}
