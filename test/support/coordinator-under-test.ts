import { type ConversationHandlers, createCoordinator, createLogger, type OperatorApi, type ProcessDefinition } from '../../coordinator/index.ts';
import type { CoordinatorUnderTest } from './chat-harness.ts';
import type { TestDatabase } from './db.ts';
import { FAST, waitFor } from './harness.ts';
import { testQueuePrefix } from './redis.ts';
import { TEST_REDIS_URL } from './services.ts';

/**
 * The real coordinator (Postgres + Redis, workers and background loops) on the test's own database and
 * queue prefix: chat tests exercise the same OperatorApi, approvals and runs as production.
 */
export async function coordinatorUnderTest(
  db: TestDatabase,
  opts: { handlers?: (operator: () => OperatorApi) => ConversationHandlers; processes?: ProcessDefinition<any>[] } = {},
): Promise<CoordinatorUnderTest> {
  const q = testQueuePrefix();
  let operator: OperatorApi | null = null;
  const c = await createCoordinator({
    handlers: opts.handlers?.(() => operator!),
    processes: opts.processes,
    log: createLogger({ level: 'warn' }),
    config: { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, COO_QUEUE_PREFIX: q.prefix, ...FAST, COO_POLL_MS: 50, COO_HTTP_PORT: 0 },
  });
  operator = c.operator;
  await c.start({ workers: true, background: true });
  return {
    operator: c.operator,
    async escalate(question) {
      const { runId } = await c.runs.start({ process: 'approval-roundtrip', input: { question }, startedBy: 'test' });
      const approval = await waitFor(`approval of run ${runId}`, async () => (await c.approvals.pending()).find((a) => a.runId === runId));
      return { approvalId: approval.id, runId };
    },
    async runStatus(runId) {
      return (await c.runs.get(runId))?.status ?? null;
    },
    async start(process, input) {
      return (await c.runs.start({ process, input, startedBy: 'test' })).runId;
    },
    async runResult(runId) {
      return ((await c.runs.get(runId))?.state as { result?: unknown } | undefined)?.result ?? null;
    },
    async close() {
      await c.stop();
      await q.cleanup();
    },
  };
}
