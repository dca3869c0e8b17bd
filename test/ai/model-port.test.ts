import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCallRecorder } from '../../agents/model/call-recorder.ts';
import { createModelService } from '../../agents/model/model.service.ts';
import { createPriceTable } from '../../agents/model/prices.ts';
import { createCircuitBreaker } from '../../agents/model/resilience.ts';
import { formatReplay, replayCall } from '../../agents/model/replay.ts';
import { createModelEmbedder } from '../../agents/model/model.embedder.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { testModelPort } from '../support/ai.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../support/openai-server.ts';

let t: TestDatabase;
let srv: FakeOpenAi;
let srv2: FakeOpenAi;

beforeAll(async () => {
  [t, srv, srv2] = await Promise.all([createTestDatabase(), startFakeOpenAi(), startFakeOpenAi()]);
});
afterAll(async () => {
  await Promise.all([srv.close(), srv2.close()]);
  await t.drop();
});
beforeEach(() => {
  srv.reset();
  srv2.reset();
});

const user = (content: string) => [{ role: 'user' as const, content }];

describe('model port', () => {
  it('round-trips a tool call and records messages, tokens, cost and outcome', async () => {
    const { model, prices } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }]);
    await prices.set('fast-1', { inputPerM: 1, outputPerM: 2 });
    srv.script('fast-1', { toolCalls: [{ name: 'list_inbox', arguments: { limit: 5 } }], usage: { in: 1000, out: 500 } });
    const res = await model.chat({
      tier: 'fast',
      messages: user('what is waiting for me?'),
      tools: [{ name: 'list_inbox', description: 'inbox', parameters: { type: 'object', properties: { limit: { type: 'number' } } } }],
      meta: { agent: 'operator-assistant', process: 'chat', runId: 'r1', step: 's1' },
    });
    expect(res.toolCalls[0].function.name).toBe('list_inbox');
    expect(JSON.parse(res.toolCalls[0].function.arguments)).toEqual({ limit: 5 });
    expect(res.costUsd).toBeCloseTo(0.002, 9);
    const [row] = await t.sql<{ agent: string; process: string; run_id: string; step: string; model: string; tokens_in: number; tokens_out: number; cost_usd: string; outcome: string; request: { messages: unknown[]; tools: unknown[] } }>(
      'SELECT * FROM model_call WHERE id = $1', [res.callId]);
    expect(row).toMatchObject({ agent: 'operator-assistant', process: 'chat', run_id: 'r1', step: 's1', model: 'fast-1', tokens_in: 1000, tokens_out: 500, outcome: 'ok' });
    expect(Number(row.cost_usd)).toBeCloseTo(0.002, 9);
    expect(row.request.messages).toEqual(user('what is waiting for me?'));
    expect(row.request.tools).toHaveLength(1);
    // What the server received is what was recorded.
    expect(srv.requests[0].body.messages).toEqual(row.request.messages);
  });

  it('waits at least Retry-After on a 429 and sends exactly one retry (SDK retries are off)', async () => {
    const { model } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }], { backoffMs: 1 });
    srv.script('fast-1', { status: 429, retryAfter: '0.4' }, { content: 'ok after wait' });
    const res = await model.chat({ tier: 'fast', messages: user('hi') });
    expect(res.content).toBe('ok after wait');
    expect(srv.requests).toHaveLength(2);
    expect(srv.requests[1].at - srv.requests[0].at).toBeGreaterThanOrEqual(380);
    const rows = await t.sql<{ outcome: string; error_code: string | null }>(`SELECT outcome, error_code FROM model_call WHERE request->'messages'->0->>'content' = 'hi' ORDER BY created_at`);
    expect(rows.map((r) => r.error_code)).toEqual(['provider_rate_limited', null]);
  });

  it('retries 500s, timeouts and malformed JSON, then succeeds', async () => {
    const { model } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }], { attempts: 4, timeoutMs: 1_000 });
    srv.script('fast-1', { status: 500 }, { hang: true }, { malformed: true }, { content: 'fine' });
    const res = await model.chat({ tier: 'fast', messages: user('flaky') });
    expect(res.content).toBe('fine');
    expect(srv.requests).toHaveLength(4);
    const codes = (await t.sql<{ error_code: string | null }>(`SELECT error_code FROM model_call WHERE request->'messages'->0->>'content' = 'flaky' ORDER BY created_at`)).map((r) => r.error_code);
    expect(codes).toEqual(['provider_server', 'provider_timeout', 'provider_malformed', null]);
  });

  it('uses the next model in the chain when the first is down, and the fallback endpoint when the primary is unreachable', async () => {
    const { model } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }, { name: 'fallback', baseURL: srv2.baseURL }], {
      tiers: { fast: ['down-model', 'fast-2'], deep: ['primary:deep-1', 'fallback:deep-backup'] },
      attempts: 2,
    });
    srv.respond((r) => (r.model === 'down-model' ? { status: 503 } : { content: `from ${r.model}` }));
    const a = await model.chat({ tier: 'fast', messages: user('x') });
    expect(a.model).toBe('fast-2');
    expect(a.fellBackFrom).toEqual(['primary:down-model']);
    expect(srv.requests.filter((r) => r.model === 'down-model')).toHaveLength(2);

    // The primary endpoint goes away entirely: deep falls back to the other provider.
    const dead = testModelPort(t.db, [{ name: 'primary', baseURL: 'http://127.0.0.1:9/v1' }, { name: 'fallback', baseURL: srv2.baseURL }], {
      tiers: { fast: [], deep: ['primary:deep-1', 'fallback:deep-backup'] },
      attempts: 1,
    });
    const b = await dead.model.chat({ tier: 'deep', messages: user('y') });
    expect(b.provider).toBe('fallback');
    expect(b.content).toBe('echo: y');
  });

  it('opens the circuit after repeated failures and stops sending to that provider', async () => {
    const breaker = createCircuitBreaker({ failures: 3, cooldownMs: 60_000 });
    const { model } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }], { breaker, attempts: 2 });
    srv.respond(() => ({ status: 500 }));
    await expect(model.chat({ tier: 'fast', messages: user('a') })).rejects.toMatchObject({ code: 'provider_unavailable' });
    await expect(model.chat({ tier: 'fast', messages: user('b') })).rejects.toMatchObject({ code: 'provider_unavailable' });
    expect(breaker.state('primary')).toBe('open');
    const before = srv.requests.length;
    expect(before).toBe(3);
    const err = await model.chat({ tier: 'fast', messages: user('c') }).catch((e) => e);
    expect(err.code).toBe('provider_unavailable');
    expect(err.details.failures[0].error).toBe('circuit open');
    expect(srv.requests.length).toBe(before);
  });

  it('validates structured output with zod, repairs once, then fails with invalid_output', async () => {
    const { model } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }]);
    const Schema = z.object({ total: z.number(), currency: z.string().length(3) });
    srv.script('fast-1', { content: '{"total": "12"}' }, { content: '```json\n{"total": 12, "currency": "EUR"}\n```' });
    const ok = await model.structured({ tier: 'fast', messages: user('parse'), schema: Schema, schemaName: 'invoice' });
    expect(ok).toMatchObject({ value: { total: 12, currency: 'EUR' }, repaired: true });
    const sent = srv.requests[0].body.response_format as { type: string; json_schema: { name: string; schema: { properties: object } } };
    expect(sent.type).toBe('json_schema');
    expect(Object.keys(sent.json_schema.schema.properties)).toEqual(['total', 'currency']);
    expect((srv.requests[1].body.messages as unknown[]).length).toBe(3);

    srv.script('fast-1', { content: 'not json' }, { content: '{"total": 1}' });
    const err = await model.structured({ tier: 'fast', messages: user('parse2'), schema: Schema, schemaName: 'invoice' }).catch((e) => e);
    expect(err.code).toBe('invalid_output');
    expect(err.details.callIds).toHaveLength(2);
    const outcomes = await t.sql<{ outcome: string }>('SELECT outcome FROM model_call WHERE id = ANY($1) ORDER BY created_at', [err.details.callIds]);
    expect(outcomes.map((o) => o.outcome)).toEqual(['invalid_output', 'invalid_output']);
  });

  it('embeds through the configured embedding model, for memory', async () => {
    const { model } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }], { embedModel: 'embed-1' });
    expect(model.canEmbed).toBe(true);
    const emb = createModelEmbedder(model, { id: 'model-embed-1', dims: 16 });
    const [a, b] = await emb.embed(['Acme invoice', 'Acme invoice']);
    expect(a).toHaveLength(16);
    expect(a).toEqual(b);
    expect(srv.requests.at(-1)).toMatchObject({ path: '/v1/embeddings', model: 'embed-1' });
    const [row] = await t.sql<{ tier: string; outcome: string }>(`SELECT tier, outcome FROM model_call WHERE model = 'embed-1'`);
    expect(row).toEqual({ tier: 'embed', outcome: 'ok' });
  });

  it('reports no-model mode and fails calls with model_not_configured', async () => {
    const m = createModelService({
      providers: [], tiers: { fast: [], deep: [] }, recorder: createCallRecorder(t.db), prices: createPriceTable(t.db, { defaultPrice: { inputPerM: 0, outputPerM: 0 } }),
      breaker: createCircuitBreaker({ failures: 1, cooldownMs: 1 }), timeoutMs: 100, attempts: 1, backoffMs: 1, maxBackoffMs: 1, defaultMaxTokens: 10,
    });
    expect(m.mode).toBe('no_model');
    expect(m.describe()).toEqual({ mode: 'no_model', tiers: { fast: [], deep: [] }, embed: null });
    await expect(m.chat({ tier: 'fast', messages: user('x') })).rejects.toMatchObject({ code: 'model_not_configured' });
  });

  it('replays a recorded failed call against another model and shows both outputs', async () => {
    const { model } = testModelPort(t.db, [{ name: 'primary', baseURL: srv.baseURL }], { attempts: 1 });
    srv.script('fast-1', { status: 500 });
    const failed = await model.chat({ tier: 'fast', messages: user('summarise Acme'), meta: { agent: 'summarizer' } }).catch((e) => e);
    expect(failed.code).toBe('provider_unavailable');
    const [row] = await t.sql<{ id: string }>(`SELECT id FROM model_call WHERE request->'messages'->0->>'content' = 'summarise Acme'`);
    srv.script('deep-1', { content: 'Acme: 3 open invoices.' });
    const r = await replayCall({ recorder: createCallRecorder(t.db), model }, row.id, { model: 'deep-1' });
    expect(r.original).toMatchObject({ id: row.id, outcome: 'error', model: 'primary:fast-1' });
    expect(r.replay).toMatchObject({ outcome: 'ok', model: 'primary:deep-1', output: 'Acme: 3 open invoices.' });
    expect(srv.requests.at(-1)!.body.messages).toEqual(user('summarise Acme'));
    const [replayRow] = await t.sql<{ replay_of: string | null; agent: string }>('SELECT replay_of, agent FROM model_call WHERE id = $1', [r.replay.id]);
    expect(replayRow).toEqual({ agent: 'replay:summarizer', replay_of: row.id });
    expect(formatReplay(r)).toContain('Acme: 3 open invoices.');
  });
});
