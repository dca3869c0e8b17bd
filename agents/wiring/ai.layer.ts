import pg from 'pg';
import { type ConversationHandlers, type Coordinator, type FreeTextAnswer, plainToCommand } from '../../coordinator/index.ts';
import { createOfflineEmbedder, createMemory, loadMemoryConfig, type Memory, type MemoryConfig, type MemoryOptions } from '../../memory/index.ts';
import { createOperatorAssistant } from '../assistant/operator-assistant.ts';
import { applyBudgetDecision, money } from '../budget/budget.approval.ts';
import { createBudgetLedger, type BudgetLedger, type EnvelopeUsage } from '../budget/budget.ledger.ts';
import { spendSummary } from '../budget/spend-summary.ts';
import { loadAgentsConfig, type AgentsConfig } from '../config.ts';
import { createModelStack, type ModelStack } from '../model/model.factory.ts';
import { createModelEmbedder } from '../model/model.embedder.ts';
import { assistantAction } from '../processes/assistant-action.process.ts';
import type { AiServices } from '../processes/ai.services.ts';
import { memoryRetention } from '../processes/memory-retention.process.ts';
import { reminder } from '../processes/reminder.process.ts';
import { replyDrafting } from '../processes/reply-drafting.process.ts';
import { replyDrafter } from '../workers/reply-drafter.agent.ts';
import { InvoiceInput, invoiceReconciler } from '../workers/invoice-reconciler.agent.ts';
import { invoiceReconciliation } from '../processes/invoice-reconciliation.process.ts';
import { agentSummarizer, summarizer as agentSummarizerDefinition } from '../workers/summarizer.agent.ts';
import { costLine, registerAiCommands } from './ai.commands.ts';
import { spendSection } from './spend.section.ts';
import { coordinatorGate, coordinatorTools } from './coordinator-tools.ts';

export interface AiLayerOptions {
  env?: Record<string, string | undefined>;
  agents?: Partial<Record<keyof AgentsConfig, unknown>>;
  memory?: Partial<MemoryConfig>;
  /** Tests pass a vector store (or null for Postgres only). */
  vectorStore?: MemoryOptions['vectorStore'];
  /** Cron for the nightly retention run (created once; the operator may change it). */
  retentionCron?: string;
  /** Background vector upkeep (on by default; a one-shot CLI command turns it off). */
  vectorUpkeep?: boolean;
}

interface State {
  c: Coordinator;
  stack: ModelStack;
  budget: BudgetLedger;
  memory: Memory;
  assistant: ReturnType<typeof createOperatorAssistant>;
}

/**
 * The AI layer's composition root. Created before the coordinator (its processes, services and
 * free-text handler go into createCoordinator) and attached after it, so it shares the coordinator's
 * database pool: `const ai = createAiLayer(); const c = await createCoordinator(ai.coordinatorOptions()); await ai.attach(c);`
 */
export function createAiLayer(opts: AiLayerOptions = {}) {
  const agentsConfig = loadAgentsConfig(opts.env, opts.agents ?? {});
  const memoryConfig = loadMemoryConfig(opts.env, opts.memory ?? {});
  let st: State | null = null;
  const s = (): State => {
    if (!st) throw new Error('The AI layer is not attached to a coordinator yet.');
    return st;
  };

  const services: { ai: AiServices } = {
    ai: {
      runTool: async (tool, args, ctx) => {
        const t = coordinatorTools(() => s().c, s().memory).list().find((x) => x.name === tool);
        if (!t) throw new Error(`Unknown tool ${tool}`);
        return t.run(t.args.parse(args), { ...ctx, files: [] });
      },
      runRetention: () => s().memory.retention.run({ summarize: agentSummarizer({ model: s().stack.model, memory: s().memory }) }),
      draftReply: (input, meta) => replyDrafter.run(input, { model: s().stack.model, memory: s().memory, meta }),
      rememberApprovedReply: async (r) => {
        const [e] = await s().memory.findEntities(r.customer);
        await s().memory.addEpisode({ entityId: e?.id ?? null, kind: 'reply_approved', title: r.subject, content: r.body, source: `run:${r.runId}`, runId: r.runId });
      },
      applyBudgetDecision: (details, option) => applyBudgetDecision(s().budget, details, option),
      digestLines: () => layer.digestLines(),
      statusSections: async () => [spendSection(await spendSummary(s().c.db, s().budget, { timeZone: s().c.config.COO_TIMEZONE, now: s().c.clock.now() }))],
      reconcileInvoice: (input, meta) => invoiceReconciler.run(input, { model: s().stack.model, memory: s().memory, meta }),
      rememberInvoice: async (raw, r, runId) => {
        const i = InvoiceInput.parse(raw); // the run's input came through JSON: dates are strings again
        const m = s().memory;
        const vendorId = r.vendor.entityId ?? (await m.upsertEntity({ kind: 'vendor', name: i.vendorName })).id;
        const ep = await m.addEpisode({
          entityId: vendorId,
          kind: 'invoice',
          title: `Invoice ${i.invoiceNumber}`,
          content: `Invoice ${i.invoiceNumber} from ${i.vendorName}: ${i.amount.toFixed(2)} ${i.currency}, issued ${i.issueDate.toISOString().slice(0, 10)}.${r.flags.length ? ` Flags: ${r.flags.join(', ')}.` : ''}${i.corrections?.length ? ` Corrected by the operator: ${i.corrections.map((c) => `${c.field} ${String(c.from)} → ${String(c.to)}`).join(', ')}.` : ''}`,
          source: `${i.source}`,
          runId,
          data: {
            number: i.invoiceNumber,
            amount: i.amount,
            currency: i.currency,
            issueDate: i.issueDate.toISOString().slice(0, 10),
            ...(i.dueDate ? { dueDate: i.dueDate.toISOString().slice(0, 10) } : {}),
            // What the operator corrected in the reading: the record to learn this vendor's layout from.
            ...(i.corrections?.length ? { corrections: i.corrections } : {}),
          },
          occurredAt: i.issueDate,
        });
        return ep.id;
      },
    },
  };

  const handlers: ConversationHandlers = {
    async freeText(msg): Promise<FreeTextAnswer> {
      // Without a model, a plain request the commands can answer is answered by that command.
      const plain = s().stack.model.mode === 'no_model' ? plainToCommand(msg.text) : null;
      if (plain) return { command: plain.command };
      const r = await s().assistant.handle(msg.text, { actor: msg.actor, surface: msg.surface, files: [] });
      return { text: r.text, ...(r.buttons ? { buttons: r.buttons } : {}) };
    },
  };

  const layer = {
    config: { agents: agentsConfig, memory: memoryConfig },
    processes: [assistantAction, reminder, memoryRetention, replyDrafting, invoiceReconciliation],
    services,
    handlers,
    /** Each agent type's own worker count (its queue's concurrency unless COO_AGENT_CONCURRENCY says otherwise). */
    agentConcurrency: agentConcurrency([replyDrafter, invoiceReconciler, agentSummarizerDefinition]),
    /** Options to spread into createCoordinator. */
    coordinatorOptions() {
      return { processes: layer.processes, services, handlers, agentConcurrency: layer.agentConcurrency };
    },
    async attach(c: Coordinator): Promise<void> {
      // The hot statements (reserve, record + settle) run on a small pg pool of the layer's own: the
      // core's pools are sized for its steps, and a Prisma raw round trip costs about twice a pg one.
      const pool = new pg.Pool({ connectionString: c.config.DATABASE_URL, max: agentsConfig.COO_AI_DB_POOL });
      pool.on('error', (err) => c.log.warn({ err: String(err) }, 'AI layer pg pool error'));
      const budget = createBudgetLedger(c.db, { timeZone: c.config.COO_TIMEZONE, pool, now: () => c.clock.now() });
      // The configured global caps are the operator's word at every start: created, or updated to it.
      if (agentsConfig.COO_BUDGET_DAY_USD !== undefined) await budget.setCap('global', 'day', agentsConfig.COO_BUDGET_DAY_USD);
      if (agentsConfig.COO_BUDGET_MONTH_USD !== undefined) await budget.setCap('global', 'month', agentsConfig.COO_BUDGET_MONTH_USD);
      const stack = createModelStack(agentsConfig, { db: c.db, budget, pool, timeZone: c.config.COO_TIMEZONE });
      const embedder = stack.model.canEmbed && agentsConfig.COO_MODEL_EMBED
        ? createModelEmbedder(stack.model, { id: `model-${agentsConfig.COO_MODEL_EMBED}`.replace(/[^a-zA-Z0-9_-]/g, '_'), dims: 0 })
        : createOfflineEmbedder({ dims: memoryConfig.COO_MEMORY_EMBED_DIMS });
      const memory = createMemory({ db: c.db, pool, embedder, config: memoryConfig, dataDir: c.config.COO_DATA_DIR, forgetExtensions: [c.erasure], ...(opts.vectorStore !== undefined ? { vectorStore: opts.vectorStore } : {}) });
      // Vectors catch up by themselves: records written while Chroma was down, or an index left empty
      // by a new embedder or a lost data folder, are embedded from Postgres in the background.
      let upkeeping: Promise<void> | null = null;
      const upkeep = () =>
        (upkeeping ??= memory
          .upkeepVectors()
          .then((r) => void ((r.embedded > 0 || r.refilled) && c.log.info(r, r.refilled ? 'the vector index was empty: refilling it from Postgres' : 'embedded records that were waiting for vectors')))
          .catch((err) => c.log.warn({ err: String(err) }, 'vector upkeep failed; the next pass retries'))
          .finally(() => (upkeeping = null)));
      const upkeepTimer = memory.vectors.store && opts.vectorUpkeep !== false ? setInterval(() => void upkeep(), 60_000).unref() : null;
      if (upkeepTimer) void upkeep();
      const stopCoordinator = c.stop.bind(c);
      c.stop = async () => {
        if (upkeepTimer) clearInterval(upkeepTimer);
        await upkeeping; // a pass in flight finishes before the pool closes under it
        await stopCoordinator();
        await budget.close().catch(() => {}); // gives back the unused budget lease (a crash leaves it held, never spent)
        await pool.end().catch(() => {});
      };
      const assistant = createOperatorAssistant({ model: stack.model, tools: coordinatorTools(() => c, memory), gate: coordinatorGate(() => c), now: () => c.clock.now() });
      st = { c, stack, budget, memory, assistant };
      registerAiCommands(c.router, { memory, budget, model: stack.model, prices: stack.prices, recorder: stack.recorder, coordinator: () => c });
      await c.db.schedule.upsert({
        where: { id: 'memory-retention' },
        create: { id: 'memory-retention', process: 'memory-retention', cron: opts.retentionCron ?? '30 3 * * *', timezone: c.config.COO_TIMEZONE, input: {} },
        update: {},
      });
    },
    get model() {
      return s().stack.model;
    },
    get memory() {
      return s().memory;
    },
    get budget() {
      return s().budget;
    },
    get stack() {
      return s().stack;
    },
    /** For `coo doctor` and the digest: model mode and memory mode in words. */
    async doctor(): Promise<Array<{ name: string; ok: boolean; detail: string; optional?: boolean }>> {
      const d = s().stack.model.describe();
      const m = await s().memory.status();
      return [
        { name: 'model', ok: true, optional: true, detail: d.mode === 'model' ? `model mode — fast: ${d.tiers.fast.join(' → ') || '(uses deep)'}; deep: ${d.tiers.deep.join(' → ') || '(uses fast)'}` : 'no-model mode — commands, processes and memory work; steps that need a model make template drafts and ask you (set COO_MODEL_BASE_URL and COO_MODEL_FAST to enable)' },
        { name: 'memory', ok: true, optional: m.mode !== 'hybrid', detail: m.mode === 'hybrid' ? `hybrid (Chroma ${m.vectorStore}, embedder ${m.embedder}); ${m.pendingVectors} records wait for vectors` : `Postgres only — Chroma is not reachable (${m.vector.lastError ?? 'not configured'}); start it with npm run up; coo memory rebuild restores vectors` },
        await budgetDoctorLine(s().budget, agentsConfig),
      ];
    },
    /** Lines for the daily digest: spend, deep passes, memory mode. */
    async digestLines(): Promise<string[]> {
      const m = await s().memory.status();
      return [await costLine({ budget: s().budget, coordinator: () => s().c }), m.mode === 'hybrid' ? '' : m.vectorStore ? `Memory is running on Postgres only: Chroma is down (${m.vector.lastError ?? 'no heartbeat'}); memory catches up by itself once it is back.` : 'Memory runs on Postgres only (no vector store configured).'].filter(Boolean);
    },
  };
  return layer;
}

export type AiLayer = ReturnType<typeof createAiLayer>;

/** `coo doctor`'s budgets line: every cap with what it has spent, and which ones the environment sets. */
async function budgetDoctorLine(budget: BudgetLedger, cfg: AgentsConfig): Promise<{ name: string; ok: boolean; detail: string; optional?: boolean }> {
  const caps = await budget.usage();
  const from = (u: EnvelopeUsage) =>
    u.scope === 'global' && ((u.period === 'day' && cfg.COO_BUDGET_DAY_USD !== undefined) || (u.period === 'month' && cfg.COO_BUDGET_MONTH_USD !== undefined)) ? ` (COO_BUDGET_${u.period.toUpperCase()}_USD)` : '';
  if (caps.length === 0) return { name: 'budgets', ok: true, optional: true, detail: 'no caps: model spend is not limited (set COO_BUDGET_DAY_USD / COO_BUDGET_MONTH_USD, or /budget set global day 5)' };
  return {
    name: 'budgets',
    ok: true,
    detail: caps.map((u) => `${u.scope.replace(/^process:/, '')} ${u.period} cap ${money(u.capUsd ?? 0)}${from(u)}: ${money(u.spentUsd)} spent ${u.period === 'day' ? 'today' : 'this month'} (${u.periodKey})`).join('; '),
  };
}

/** Agent name → its declared concurrency, for the agents that declare one. */
function agentConcurrency(agents: Array<{ name: string; definition: { concurrency?: number } }>): Record<string, number> {
  return Object.fromEntries(agents.filter((a) => a.definition.concurrency !== undefined).map((a) => [a.name, a.definition.concurrency!]));
}
