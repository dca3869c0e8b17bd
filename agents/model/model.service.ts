import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { BudgetExceededError, InvalidOutputError, ModelNotConfiguredError, ProviderUnavailableError } from '../errors.ts';
import type { BudgetLedger } from '../budget/budget.ledger.ts';
import type { CallRecord, CallRecorder } from './call-recorder.ts';
import { EMBED_TOKENS_PER_TEXT, overReport, reserveCall, untilInWords, worstCase, type WorstCase } from './call-budget.ts';
import {
  CallMetaSchema,
  ProviderCallError,
  type ChatProvider,
  type ChatRequest,
  type ChatResult,
  type EmbedResult,
  type ModelPort,
  type StructuredRequest,
  type StructuredResult,
  type Tier,
} from './model.port.ts';
import { costOf, type PriceTable } from './prices.ts';
import { backoffDelay, sleep, type CircuitBreaker } from './resilience.ts';

export interface ModelServiceOptions {
  /** Endpoints by name; chain entries `name:model` pick one, a bare model uses the first. */
  providers: ChatProvider[];
  tiers: Record<Tier, string[]>;
  embedModel?: string | null;
  recorder: CallRecorder;
  prices: PriceTable;
  budget?: BudgetLedger | null;
  breaker: CircuitBreaker;
  timeoutMs: number;
  attempts: number;
  backoffMs: number;
  maxBackoffMs: number;
  defaultMaxTokens: number;
  /** A Retry-After longer than this moves on to the next model instead of waiting. */
  maxRetryAfterMs?: number;
  /** The operator's time zone, for "rate limited until 14:32 Europe/Berlin". */
  timeZone?: string;
}

interface Target {
  provider: ChatProvider;
  model: string;
  label: string;
}

/**
 * The model port's implementation: tiers with fallback chains, retries with backoff that honours
 * Retry-After, a circuit breaker per provider, budget reservation before each model is tried, zod
 * validation with one repair attempt, and one model_call row per HTTP attempt.
 */
export function createModelService(o: ModelServiceOptions): ModelPort {
  const byName = new Map(o.providers.map((p) => [p.name, p]));
  const resolve = (entry: string): Target | null => {
    const i = entry.indexOf(':');
    const named = i > 0 ? byName.get(entry.slice(0, i)) : undefined;
    const provider = named ?? o.providers[0];
    const model = named ? entry.slice(i + 1) : entry;
    return provider ? { provider, model, label: `${provider.name}:${model}` } : null;
  };
  const chainOf = (tier: Tier) => (o.tiers[tier] ?? []).map(resolve).filter((t): t is Target => t !== null);
  const mode = o.providers.length > 0 && (o.tiers.fast.length > 0 || o.tiers.deep.length > 0) ? 'model' : 'no_model';

  async function chat(req: ChatRequest): Promise<ChatResult> {
    const meta = CallMetaSchema.parse(req.meta ?? {});
    // A tier with no chain borrows the other tier's, so `deep` alone or `fast` alone is a valid setup.
    let chain = req.model ? [resolve(req.model)].filter((t): t is Target => t !== null) : chainOf(req.tier);
    if (!req.model && chain.length === 0) chain = chainOf(req.tier === 'fast' ? 'deep' : 'fast');
    if (mode === 'no_model' || chain.length === 0) throw new ModelNotConfiguredError(req.tier);
    const maxTokens = req.maxTokens ?? o.defaultMaxTokens;
    const params = { messages: req.messages, tools: req.tools, toolChoice: req.toolChoice, temperature: req.temperature, maxTokens, responseFormat: req.responseFormat };
    // Serialized once, before anything can change it: what the record stores and the reservation counts.
    const requestRecord = { tier: req.tier, ...params } as Record<string, unknown>;
    const requestJson = JSON.stringify(requestRecord);
    // A retry of a step that already paid for this exact call gets the recorded answer, not a new bill.
    // (A pinned model is a replay or a repair; only the repair is the step's own call.)
    if (meta.runId && meta.step && meta.purpose !== 'replay' && (!req.model || meta.purpose === 'repair')) {
      const prior = await o.recorder.findAnswered({ runId: meta.runId, step: meta.step, purpose: meta.purpose, requestJson });
      if (prior) return reused(prior);
    }
    const failures: Array<{ model: string; error: string; callId?: string }> = [];
    const tried: string[] = [];
    let retryAfterMs = 0; // the longest rate limit a provider announced

    for (const target of chain) {
      if (!req.ignoreBreaker && !o.breaker.allow(target.provider.name)) {
        failures.push({ model: target.label, error: 'circuit open' });
        tried.push(target.label);
        continue;
      }
      // Every input byte counted as a token (no byte-level BPE token is shorter) plus the full max_tokens.
      const worst = await worstCase(o.prices, target.model, Buffer.byteLength(requestJson), maxTokens);
      const reservation = await reserveCall(o.budget, meta.process, worst); // throws budget_exceeded / price_unknown: the call is not made
      let settled = false;
      let answered = false; // the provider answered (and may charge) but the record did not commit
      try {
        for (let attempt = 1; attempt <= o.attempts; attempt++) {
          const id = randomUUID();
          const t0 = performance.now();
          try {
            const res = await target.provider.chat(target.model, params, { timeoutMs: o.timeoutMs, signal: req.signal });
            const latencyMs = performance.now() - t0;
            const costUsd = costOf(worst.price, res.tokensIn, res.tokensOut);
            o.breaker.success(target.provider.name);
            answered = true;
            const settle = reservation && reservation.envelopes.length > 0 ? { reservationId: reservation.id, actualUsd: costUsd, lease: reservation.lease } : undefined;
            const out = await o.recorder.record({
              id, ...metaOf(meta), tier: req.tier, provider: target.provider.name, model: target.model, request: requestRecord, requestJson,
              response: { content: res.content, toolCalls: res.toolCalls, finishReason: res.finishReason },
              output: res.content ?? (res.toolCalls.length ? JSON.stringify(res.toolCalls) : null),
              tokensIn: res.tokensIn, tokensOut: res.tokensOut, costUsd, latencyMs, outcome: 'ok', attempt,
            }, settle);
            settled = true; // the record settled the reservation in the same statement
            answered = false;
            if (settle && reservation) o.budget!.settled(reservation, costUsd, out ?? null);
            await reportOverage(worst, target.provider.name, { ...res, costUsd }, id, meta);
            return { callId: id, provider: target.provider.name, model: target.model, content: res.content, toolCalls: res.toolCalls, finishReason: res.finishReason, tokensIn: res.tokensIn, tokensOut: res.tokensOut, costUsd, latencyMs, fellBackFrom: tried };
          } catch (err) {
            const e = err instanceof ProviderCallError ? err : new ProviderCallError('network', (err as Error)?.message ?? String(err), null, null);
            const latencyMs = performance.now() - t0;
            if (e.kind !== 'client') o.breaker.failure(target.provider.name);
            await o.recorder.record({
              id, ...metaOf(meta), tier: req.tier, provider: target.provider.name, model: target.model, request: requestRecord, requestJson,
              tokensIn: 0, tokensOut: 0, costUsd: 0, latencyMs, outcome: 'error', errorCode: `provider_${e.kind}`, errorMessage: `${e.status ?? ''} ${e.message}`.trim(), attempt,
            });
            failures.push({ model: target.label, error: `${e.kind}${e.status ? ` ${e.status}` : ''}: ${e.message}`, callId: id });
            if (e.retryAfterMs !== null) retryAfterMs = Math.max(retryAfterMs, e.retryAfterMs);
            if (req.signal?.aborted) throw new ProviderUnavailableError('The call was cancelled.', { failures }, err);
            const lastAttempt = attempt >= o.attempts || !e.retryable || (!req.ignoreBreaker && !o.breaker.allow(target.provider.name));
            if (lastAttempt) break;
            if (e.retryAfterMs !== null && e.retryAfterMs > (o.maxRetryAfterMs ?? 60_000)) break;
            await sleep(backoffDelay(attempt, { baseMs: o.backoffMs, maxMs: o.maxBackoffMs, retryAfterMs: e.retryAfterMs }), req.signal);
            if (e.retryAfterMs !== null) retryAfterMs = 0; // waited it out
          }
        }
      } finally {
        // A draw whose answer was not recorded stays counted as spent in-process (its lease row keeps
        // holding it): money the provider may have charged is never handed out again.
        if (reservation && !settled && answered && reservation.lease) o.budget!.settled(reservation, reservation.amountUsd, null);
        else if (reservation && !settled) await o.budget!.release(reservation);
      }
      tried.push(target.label);
    }
    const last = failures.at(-1)?.callId;
    const until = retryAfterMs > 0 ? new Date(Date.now() + retryAfterMs) : null;
    throw new ProviderUnavailableError(
      `No model in the ${req.tier} chain answered (${failures.map((f) => f.model).join(', ')})${until ? `: rate limited until ${untilInWords(until, o.timeZone ?? 'UTC')}` : ''}.${last ? ` Reproduce with: coo replay-call ${last}` : ''}`,
      { tier: req.tier, failures, callIds: failures.map((f) => f.callId).filter(Boolean), ...(until ? { rateLimitedUntil: until.toISOString() } : {}) },
      undefined,
      until ? retryAfterMs : undefined,
    );
  }

  /** A recorded answer as this call's result (nothing new was paid). */
  function reused(r: CallRecord): ChatResult {
    const res = (r.response ?? {}) as { content?: string | null; toolCalls?: ChatResult['toolCalls']; finishReason?: string | null };
    return { callId: r.id, provider: r.provider, model: r.model, content: res.content ?? null, toolCalls: res.toolCalls ?? [], finishReason: res.finishReason ?? null, tokensIn: r.tokensIn, tokensOut: r.tokensOut, costUsd: r.costUsd, latencyMs: 0, fellBackFrom: [], reused: true };
  }

  /** A provider that billed beyond what the request allows: counted as billed, and told to the operator. */
  async function reportOverage(worst: WorstCase, provider: string, used: { tokensIn: number; tokensOut: number; costUsd: number }, callId: string, meta: z.infer<typeof CallMetaSchema>) {
    const message = overReport(worst, provider, used);
    if (!message) return;
    // Not the run's incident: the run is fine (its call was answered), so it names the run instead of
    // waiting on it; the operator closes it with /resolve once the bill is checked.
    const where = meta.runId ? ` (run ${meta.runId}${meta.step ? `, step ${meta.step}` : ''}, call ${callId})` : ` (call ${callId})`;
    await o.recorder
      .incident({ code: 'provider_over_reported', message: `${message}${where}`, details: { callId, runId: meta.runId ?? null, step: meta.step ?? null, process: meta.process ?? null, provider, model: worst.model, reservedUsd: worst.usd, costUsd: used.costUsd, tokensIn: used.tokensIn, tokensOut: used.tokensOut, maxTokensIn: worst.tokensIn, maxTokensOut: worst.tokensOut } })
      .catch(() => {}); // the spend is already counted; a lost incident row must not fail the call
  }

  async function structured<T>(req: StructuredRequest<T>): Promise<StructuredResult<T>> {
    const jsonSchema = jsonSchemaOf(req.schema);
    const first = await chat({ ...req, responseFormat: { name: req.schemaName, schema: jsonSchema } });
    const v1 = validate(req.schema, first.content);
    if (v1.ok) return { value: v1.value, call: first, repaired: false };
    await o.recorder.markOutcome(first.callId, 'invalid_output', { code: 'invalid_output', message: v1.error });
    const repairMessages = [
      ...req.messages,
      { role: 'assistant' as const, content: first.content ?? '' },
      { role: 'user' as const, content: `That output is not valid for the required JSON schema: ${v1.error}\nReply again with only the corrected JSON object.` },
    ];
    // The one repair: on the same model, or on the tier the caller names (an agent's deep tier).
    const target = req.repairTier && req.repairTier !== req.tier ? { tier: req.repairTier, model: undefined } : { model: `${first.provider}:${first.model}` };
    const second = await chat({ ...req, ...target, meta: { ...req.meta, purpose: 'repair' }, messages: repairMessages, responseFormat: { name: req.schemaName, schema: jsonSchema } });
    const v2 = validate(req.schema, second.content);
    if (v2.ok) {
      await o.recorder.markOutcome(second.callId, 'repaired');
      return { value: v2.value, call: second, repaired: true };
    }
    await o.recorder.markOutcome(second.callId, 'invalid_output', { code: 'invalid_output', message: v2.error });
    throw new InvalidOutputError(`The model's output did not match ${req.schemaName} after one repair attempt: ${v2.error}`, {
      schema: req.schemaName,
      callIds: [first.callId, second.callId],
      issues: v2.error,
    });
  }

  async function embed(texts: string[], metaIn: ChatRequest['meta'] = {}): Promise<EmbedResult> {
    const provider = o.providers[0];
    if (!o.embedModel || !provider) throw new ModelNotConfiguredError('embed');
    const model = o.embedModel;
    const meta = CallMetaSchema.parse(metaIn ?? {});
    const worst = await worstCase(o.prices, model, texts.reduce((n, t) => n + Buffer.byteLength(t) + EMBED_TOKENS_PER_TEXT, 0), 0);
    const reservation = await reserveCall(o.budget, meta.process, worst); // embeddings are priced calls too
    let settled = false;
    let answered = false;
    try {
      for (let attempt = 1; ; attempt++) {
        const id = randomUUID();
        const t0 = performance.now();
        try {
          const r = await provider.embed(model, texts, { timeoutMs: o.timeoutMs });
          const costUsd = costOf(worst.price, r.tokensIn, 0);
          answered = true;
          const settle = reservation && reservation.envelopes.length > 0 ? { reservationId: reservation.id, actualUsd: costUsd, lease: reservation.lease } : undefined;
          const out = await o.recorder.record({ id, ...metaOf(meta), tier: 'embed', provider: provider.name, model, request: { input: texts }, output: `${r.vectors.length} vectors`, tokensIn: r.tokensIn, tokensOut: 0, costUsd, latencyMs: performance.now() - t0, outcome: 'ok', attempt }, settle);
          settled = true;
          if (settle && reservation) o.budget!.settled(reservation, costUsd, out ?? null);
          await reportOverage(worst, provider.name, { tokensIn: r.tokensIn, tokensOut: 0, costUsd }, id, meta);
          return { vectors: r.vectors, model, dims: r.vectors[0]?.length ?? 0 };
        } catch (err) {
          if (answered) throw err;
          const e = err instanceof ProviderCallError ? err : new ProviderCallError('network', String(err), null, null);
          await o.recorder.record({ id, ...metaOf(meta), tier: 'embed', provider: provider.name, model, request: { input: texts }, tokensIn: 0, tokensOut: 0, costUsd: 0, latencyMs: performance.now() - t0, outcome: 'error', errorCode: `provider_${e.kind}`, errorMessage: e.message, attempt });
          if (attempt >= o.attempts || !e.retryable || (e.retryAfterMs ?? 0) > (o.maxRetryAfterMs ?? 60_000)) {
            const until = e.retryAfterMs ? ` — rate limited until ${untilInWords(new Date(Date.now() + e.retryAfterMs), o.timeZone ?? 'UTC')}` : '';
            throw new ProviderUnavailableError(`Embedding failed: ${e.message}${until}`, { model }, err, e.retryAfterMs ?? undefined);
          }
          await sleep(backoffDelay(attempt, { baseMs: o.backoffMs, maxMs: o.maxBackoffMs, retryAfterMs: e.retryAfterMs }));
        }
      }
    } finally {
      if (reservation && !settled && answered && reservation.lease) o.budget!.settled(reservation, reservation.amountUsd, null);
      else if (reservation && !settled) await o.budget!.release(reservation);
    }
  }

  return {
    mode,
    canEmbed: !!o.embedModel && o.providers.length > 0,
    hasTier: (tier) => mode === 'model' && chainOf(tier).length > 0,
    chat,
    structured,
    embed,
    describe: () => ({ mode, tiers: { fast: chainOf('fast').map((t) => t.label), deep: chainOf('deep').map((t) => t.label) }, embed: o.embedModel || null }),
  };
}

/** An agent's output schema is the same object on every call: convert it to JSON Schema once. */
const jsonSchemas = new WeakMap<z.ZodType, Record<string, unknown>>();
function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  let js = jsonSchemas.get(schema);
  if (!js) jsonSchemas.set(schema, (js = z.toJSONSchema(schema, { target: 'draft-7' }) as Record<string, unknown>));
  return js;
}

function metaOf(m: z.infer<typeof CallMetaSchema>) {
  return { agent: m.agent, process: m.process, runId: m.runId, step: m.step, entityIds: m.entityIds, purpose: m.purpose, replayOf: m.replayOf };
}

function validate<T>(schema: z.ZodType<T>, content: string | null): { ok: true; value: T } | { ok: false; error: string } {
  if (!content) return { ok: false, error: 'empty output' };
  let json: unknown;
  try {
    json = JSON.parse(stripFences(content));
  } catch (e) {
    return { ok: false, error: `not JSON (${(e as Error).message})` };
  }
  const r = schema.safeParse(json);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') };
}

/** Small local models often wrap JSON in ```json fences despite response_format. */
function stripFences(s: string): string {
  const m = s.trim().match(/^```(?:json)?\s*([\s\S]*?)\s*```$/);
  return m ? m[1] : s;
}

export { BudgetExceededError };
