import { z } from 'zod';
import type { Coordinator } from '../../coordinator/index.ts';
import type { Memory } from '../../memory/index.ts';
import { defineTool, type ActionGate, type AssistantTool, type AssistantTools } from '../assistant/tools.ts';

const ALLOW_KEY = 'assistant.allow';

/** The operator's explicit allow-list of `<process>:<tool>` (or `*:<tool>`, every process) actions the assistant may run without asking. */
export async function allowedActions(c: Coordinator): Promise<string[]> {
  const row = await c.db.setting.findUnique({ where: { key: ALLOW_KEY } });
  return Array.isArray(row?.value) ? (row.value as string[]) : [];
}

export async function setAllowed(c: Coordinator, entry: string, allow: boolean): Promise<string[]> {
  const now = new Set(await allowedActions(c));
  if (allow) now.add(entry);
  else now.delete(entry);
  const value = [...now].sort();
  await c.db.setting.upsert({ where: { key: ALLOW_KEY }, create: { key: ALLOW_KEY, value }, update: { value } });
  return value;
}

/** Processes the assistant may not start at all (they are its own plumbing). */
const INTERNAL = new Set(['assistant-action', 'memory-retention', 'daily-digest']);

/**
 * The coordinator's commands as assistant tools. Reads run directly; `start_process` and `remind` are
 * world tools: a process may send, pay or delete, and a reminder puts text (maybe an attacker's IBAN,
 * copied from a mail) in front of the operator later as if the COO said it. Both ask first unless allowed.
 */
export function coordinatorTools(getC: () => Coordinator, memory: Memory): AssistantTools {
  const tools: AssistantTool[] = [
    defineTool({
      name: 'list_waiting',
      description: 'What waits for the operator: pending approvals and open incidents',
      args: z.object({}),
      effect: 'read',
      describe: () => 'list what is waiting',
      run: async () => {
        const s = await getC().status();
        return { approvals: s.pendingApprovals.map((a) => ({ id: a.id, runId: a.runId, process: a.process, question: a.question.split('\n')[0], ageSeconds: a.ageSeconds })), incidents: s.openIncidents.map((i) => ({ id: i.id, runId: i.runId, code: i.code, message: i.message })) };
      },
    }),
    defineTool({
      name: 'list_runs',
      description: 'Recent runs, optionally of one process or status',
      args: z.object({ process: z.string().optional(), status: z.enum(['running', 'waiting', 'completed', 'failed', 'cancelled']).optional(), limit: z.number().int().min(1).max(50).default(10) }),
      effect: 'read',
      describe: () => 'list runs',
      run: async (a) =>
        getC().db.run.findMany({ where: { process: a.process, status: a.status }, orderBy: { createdAt: 'desc' }, take: a.limit, select: { id: true, process: true, status: true, currentStep: true, createdAt: true, error: true } }),
    }),
    defineTool({
      name: 'run_status',
      description: 'One run: status, current step, last events',
      args: z.object({ runId: z.string() }),
      effect: 'read',
      describe: (a) => `show run ${a.runId}`,
      run: async (a) => {
        const c = getC();
        const run = await c.runs.get(a.runId);
        if (!run) return { error: `no run ${a.runId}` };
        const events = (await c.runs.events(a.runId)).slice(-8).map((e) => ({ seq: e.seq, type: e.type, step: e.step, at: e.at }));
        return { id: run.id, process: run.process, status: run.status, currentStep: run.currentStep, error: run.error, events };
      },
    }),
    defineTool({
      name: 'list_processes',
      description: 'Processes the COO can run',
      args: z.object({}),
      effect: 'read',
      describe: () => 'list processes',
      run: async () => getC().registry.list().filter((p) => !INTERNAL.has(p.name)).map((p) => ({ name: p.name, description: p.description })),
    }),
    defineTool({
      name: 'search_memory',
      description: 'Search what the COO remembers (messages, invoices, notes, outcomes), optionally about one customer or vendor',
      args: z.object({ query: z.string().min(1), entity: z.string().optional(), k: z.number().int().min(1).max(10).default(5) }),
      effect: 'read',
      describe: (a) => `search memory for "${a.query}"`,
      run: async (a) => {
        const [e] = a.entity ? await memory.findEntities(a.entity) : [];
        const r = await memory.retrieve({ query: a.query, entityId: e?.id, k: a.k, agent: 'operator-assistant' });
        return { retrievalId: r.retrievalId, mode: r.mode, items: r.items.map((i) => ({ episode: i.episodeId, when: i.occurredAt.toISOString().slice(0, 10), kind: i.kind, source: i.source, title: i.title, text: i.content.slice(0, 600) })) };
      },
    }),
    defineTool({
      name: 'describe_entity',
      description: 'What the COO knows about a customer or vendor, with the source of each fact',
      args: z.object({ name: z.string().min(1) }),
      effect: 'read',
      describe: (a) => `describe ${a.name}`,
      run: async (a) =>
        (await memory.describe(a.name)).map((v) => ({ name: v.entity.name, kind: v.entity.kind, summary: v.entity.summary, summaryProvenance: v.entity.summaryProvenance, facts: v.facts.map((f) => ({ key: f.key, value: f.value, source: f.source, confidence: f.confidence })), episodes: v.episodes.byKind })),
    }),
    defineTool({
      name: 'recent_files',
      description: 'Files the operator sent recently (newest first), for requests like "the PDF I just sent"',
      args: z.object({ limit: z.number().int().min(1).max(20).default(5) }),
      effect: 'read',
      describe: () => 'list recent files',
      run: async (a) => {
        const rows = await getC().db.operatorMessage.findMany({ where: { direction: 'in' }, orderBy: { id: 'desc' }, take: 50, select: { id: true, body: true, createdAt: true } });
        const files: Array<{ name: string; mimeType: string; path?: string; sentAt: string }> = [];
        for (const r of rows) for (const f of ((r.body as { files?: Array<{ name: string; mimeType: string; path?: string }> }).files ?? [])) files.push({ name: f.name, mimeType: f.mimeType, path: f.path, sentAt: r.createdAt.toISOString() });
        return files.slice(0, a.limit);
      },
    }),
    defineTool({
      name: 'remind',
      description: 'Remind the operator at a time (ISO 8601 with offset, in the operator’s time zone)',
      args: z.object({ at: z.string().datetime({ offset: true }), text: z.string().min(1) }),
      effect: 'world',
      processOf: () => 'reminder',
      describe: (a) => `remind you at ${a.at}: ${a.text}`,
      run: async (a, ctx) => {
        const r = await getC().runs.start({ process: 'reminder', input: a, startedBy: `${ctx.surface}:${ctx.actor}` });
        return { runId: r.runId, at: a.at };
      },
    }),
    defineTool({
      name: 'start_process',
      description: 'Start a process with an input (files the operator just sent are available by name)',
      args: z.object({ process: z.string(), input: z.record(z.string(), z.unknown()).default({}) }),
      effect: 'world',
      processOf: (a) => a.process,
      // The whole input is in the approval card (approval-card.ts), key fields first; never cut here.
      describe: (a) => `start ${a.process}${Object.keys(a.input).length ? ` with ${JSON.stringify(a.input)}` : ''}`,
      run: async (a, ctx) => {
        if (INTERNAL.has(a.process)) throw new Error(`${a.process} cannot be started by the assistant.`);
        const r = await getC().runs.start({ process: a.process, input: a.input, startedBy: `${ctx.surface}:${ctx.actor}` });
        return { runId: r.runId };
      },
    }),
  ];
  return { list: () => tools };
}

/** World actions become assistant-action runs: a durable approval, then the action exactly once. */
export function coordinatorGate(getC: () => Coordinator): ActionGate {
  return {
    isAllowed: async (process, tool) => {
      const allowed = await allowedActions(getC());
      return allowed.includes(`${process}:${tool}`) || allowed.includes(`*:${tool}`);
    },
    async requestApproval(r) {
      const c = getC();
      const run = await c.runs.start({ process: 'assistant-action', input: { tool: r.tool, args: r.args, summary: r.summary, process: r.process, actor: r.actor, surface: r.surface }, startedBy: `${r.surface}:${r.actor}` });
      return { approvalId: null, runId: run.runId, text: `run ${run.runId} asks you to confirm` };
    },
  };
}
