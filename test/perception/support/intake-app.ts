import { createAiLayer } from '../../../agents/index.ts';
import type { Coordinator } from '../../../coordinator/index.ts';
import { createPerceptionLayer } from '../../../perception/coordinator/perception.layer.ts';
import type { PerceptionResult } from '../../../perception/index.ts';
import { createTestEnv, type TestEnv, waitFor } from '../../support/harness.ts';

/**
 * The product's composition (AI layer + perception layer + coordinator, as scripts/app.ts wires them)
 * with perception replaced by pre-made results: each file name maps to the result it "reads", so the
 * tests drive the chat, not OCR.
 */
export interface IntakeApp {
  env: TestEnv;
  c: Coordinator;
  results: Map<string, PerceptionResult>;
  close(): Promise<void>;
}

export async function startIntakeApp(): Promise<IntakeApp> {
  const env = await createTestEnv();
  const results = new Map<string, PerceptionResult>();
  const ai = createAiLayer({ env: {}, vectorStore: null, vectorUpkeep: false });
  const perception = createPerceptionLayer(async () => ({
    perceive: async (input) => {
      const r = results.get(input.filename ?? '');
      if (!r) throw new Error(`no pre-made result for ${input.filename}`);
      return r;
    },
    close: async () => {},
  }));
  const c = await env.coordinator({
    processes: [...ai.processes, ...perception.processes],
    services: { ...ai.services, ...perception.services },
    handlers: { ...ai.handlers, ...perception.handlers },
    agentConcurrency: ai.agentConcurrency,
  });
  await ai.attach(c);
  perception.attach(c);
  await c.start({ workers: true, background: true });
  return { env, c, results, close: () => env.cleanup() };
}

/** Sends a file in chat; returns the document-intake run it started. */
export async function sendFile(app: IntakeApp, name: string, key: string): Promise<string> {
  const r = await app.c.operator.handleMessage({ surface: 'console', actor: 'op', text: '', files: [{ name, mimeType: 'image/jpeg', size: 1000, path: `/nonexistent/${name}` }], dedupeKey: key });
  return /\(run (run_\w+)\)/.exec(r.reply!.body.text)![1];
}

/** The next pending approval of a run (the question now on the operator's screen) and its message. */
export async function pendingQuestion(app: IntakeApp, runId: string, step: string) {
  const approval = await waitFor(`run ${runId} to ask at ${step}`, () => app.env.tdb.db.approval.findFirst({ where: { runId, step, status: 'pending' } }), 60_000, 100);
  const message = await waitFor('its message', () => app.env.tdb.db.operatorMessage.findFirst({ where: { approvalId: approval.id } }), 10_000, 50);
  const body = message.body as { text: string; buttons: Array<Array<{ label: string; style: string; action: { option: string } }>> };
  return { approval, messageId: String(message.id), text: body.text, buttons: body.buttons.flat() };
}

export async function finished(app: IntakeApp, runId: string) {
  return waitFor(`run ${runId} to finish`, async () => {
    const r = await app.c.runs.get(runId);
    return r && ['completed', 'failed', 'cancelled'].includes(r.status) ? r : null;
  }, 60_000, 100);
}

/** Texts the COO posted under a ref (notices that a process posts once). */
export async function noticeText(app: IntakeApp, ref: string): Promise<string> {
  const row = await waitFor(`the notice ${ref}`, () => app.env.tdb.db.operatorMessage.findFirst({ where: { body: { path: ['ref'], equals: ref } } }), 60_000, 100);
  return (row.body as { text: string }).text;
}
