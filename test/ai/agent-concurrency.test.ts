import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Coordinator, defineProcess, loadCoordinatorConfig } from '../../coordinator/index.ts';
import { createAiLayer, type AiLayer } from '../../agents/index.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/harness.ts';

/** How many steps of each agent type run right now, and the most that ever ran at once. */
const active: Record<string, number> = { solo: 0, crowd: 0 };
const most: Record<string, number> = { solo: 0, crowd: 0 };
const enter = (a: string) => {
  active[a]++;
  most[a] = Math.max(most[a], active[a]);
};
/** Released by the test once it has seen the solo queue hold jobs back. */
let releaseSolo!: () => void;
const soloGate = new Promise<void>((r) => (releaseSolo = r));
/** Opens when four crowd steps run at the same time (or gives up, which the test then reports). */
let openCrowd!: () => void;
const crowdBarrier = new Promise<void>((r) => (openCrowd = r));
const within = (p: Promise<void>, ms: number) => Promise.race([p, new Promise<void>((r) => setTimeout(r, ms).unref())]);

const soloWork = defineProcess({
  name: 'solo-work',
  version: 1,
  description: 'A step on a queue that runs one job at a time',
  input: z.object({ i: z.number() }),
  start: 'work',
  steps: {
    work: {
      agent: 'solo',
      run: async (ctx) => {
        enter('solo');
        await within(soloGate, 20_000);
        active.solo--;
        return ctx.complete({ i: ctx.input.i });
      },
    },
  },
});

const crowdWork = defineProcess({
  name: 'crowd-work',
  version: 1,
  description: 'A step on a queue that runs several jobs at once',
  input: z.object({ i: z.number() }),
  start: 'work',
  steps: {
    work: {
      agent: 'crowd',
      run: async (ctx) => {
        enter('crowd');
        if (active.crowd >= 4) openCrowd();
        await within(crowdBarrier, 20_000);
        active.crowd--;
        return ctx.complete({ i: ctx.input.i });
      },
    },
  },
});

describe('per-agent-type concurrency', () => {
  let env: TestEnv;
  let c: Coordinator;
  let ai: AiLayer;
  beforeAll(async () => {
    env = await createTestEnv();
    ai = createAiLayer({ env: {}, vectorStore: null });
    const opts = ai.coordinatorOptions();
    // solo: 1 and crowd: 2 are the agent types' own defaults; the operator's override gives crowd 4.
    // COO_WORKER_CONCURRENCY is 3 here (test settings), so neither figure is the global one.
    c = await env.coordinator({
      ...opts,
      processes: [...opts.processes, soloWork, crowdWork],
      agentConcurrency: { ...opts.agentConcurrency, solo: 1, crowd: 2 },
      config: { COO_AGENT_CONCURRENCY: { crowd: 4 } as never },
      roles: { workers: true, background: true },
    });
    await ai.attach(c);
  });
  afterAll(async () => {
    releaseSolo();
    openCrowd();
    await env.cleanup();
  });

  it('never runs two steps at once on a queue with concurrency 1 while another queue runs four', async () => {
    expect(c.concurrency()).toMatchObject({ core: 3, solo: 1, crowd: 4, 'reply-drafter': 4, 'invoice-reconciler': 2, summarizer: 1 });
    const runs = await Promise.all([
      ...[0, 1, 2, 3].map((i) => c.runs.start({ process: 'solo-work', input: { i } })),
      ...[0, 1, 2, 3].map((i) => c.runs.start({ process: 'crowd-work', input: { i } })),
    ]);
    // Four crowd steps at once: its worker takes several jobs (and more than the global 3).
    await waitFor('four crowd steps at once', async () => most.crowd >= 4);
    // Meanwhile the solo queue holds its other jobs back: one active, the rest waiting.
    const sizes = await waitFor('solo jobs held back', async () => {
      const s = (await c.queues.sizes(['solo'])).solo;
      return s.active === 1 && s.waiting >= 1 ? s : null;
    });
    expect(sizes.waiting).toBe(3);
    expect(active.solo).toBe(1);
    releaseSolo();
    for (const { runId } of runs) await waitFor(`run ${runId} to complete`, async () => (await c.runs.get(runId))?.status === 'completed');
    expect(most).toEqual({ solo: 1, crowd: 4 });
  });

  it('shows each queue’s workers in /status', async () => {
    const r = await c.operator.handleMessage({ surface: 'console', actor: 'op', text: '/status' });
    expect(r.reply!.body.text).toMatch(/^Workers per queue — .*\bsolo 1\b.*$/m);
    expect(r.reply!.body.text).toContain('crowd 4');
    expect(r.reply!.body.text).toContain('reply-drafter 4');
  });
});

describe('COO_AGENT_CONCURRENCY', () => {
  it('reads "agent=workers" entries', () => {
    expect(loadCoordinatorConfig({ COO_AGENT_CONCURRENCY: 'perception=1, reply-drafter=2' }).COO_AGENT_CONCURRENCY).toEqual({ perception: 1, 'reply-drafter': 2 });
    expect(loadCoordinatorConfig({}).COO_AGENT_CONCURRENCY).toEqual({});
  });

  it('names every bad entry and says what is expected', () => {
    let msg = '';
    try {
      loadCoordinatorConfig({ COO_AGENT_CONCURRENCY: 'perception=0,Assistant=2,summarizer,reply-drafter=1,reply-drafter=3' });
    } catch (err) {
      expect((err as { code?: string }).code).toBe('config_invalid');
      msg = (err as Error).message;
    }
    expect(msg).toContain('COO_AGENT_CONCURRENCY');
    expect(msg).toContain('"perception=0" is not <agent type>=<workers 1..256>');
    expect(msg).toContain('"Assistant=2" is not');
    expect(msg).toContain('"summarizer" is not');
    expect(msg).toContain('"reply-drafter" is given twice');
    expect(msg).toContain('e.g. COO_AGENT_CONCURRENCY="perception=1,reply-drafter=2"');
  });
});
