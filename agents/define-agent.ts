import { z } from 'zod';
import { buildContext, createFence, type ContextSection, type Memory } from '../memory/index.ts';
import { AgentError, agentFailureCode, DEFAULT_FAILURE_HANDLING, type AgentFailureCode } from './errors.ts';
import type { CallMeta, ChatMessage, ModelPort, Tier } from './model/model.port.ts';

/** What an agent gets at run time; the composition root builds it once. */
export interface AgentDeps {
  model: ModelPort;
  memory: Memory;
  /** Recorded with every model call (process, run, step, entities). */
  meta?: CallMeta;
}

export interface AgentContext {
  sections: ContextSection[];
  /** Entities the work is about (for budgets, the call log and /forget). */
  entityIds: string[];
  /** Retrieval log ids: run state keeps these pointers, not copies of memory. */
  retrievalIds: string[];
  /** Anything the template or prompt needs that was looked up (entity names, prior replies). */
  facts: Record<string, unknown>;
}

export interface AgentDefinition<I, O, In = I> {
  name: string;
  description: string;
  input: z.ZodType<I, In>;
  output: z.ZodType<O>;
  tier: Tier;
  /**
   * Jobs this agent type's queue runs at once unless the operator overrides it (COO_AGENT_CONCURRENCY);
   * without it, COO_WORKER_CONCURRENCY. Model-bound agents want few: each job holds a model call.
   */
  concurrency?: number;
  /** How each failure mode is handled; unspecified modes use DEFAULT_FAILURE_HANDLING. */
  failureModes?: Partial<Record<AgentFailureCode, 'retry' | 'deep_pass' | 'escalate'>>;
  /** The memory it reads: sections for the execution window. */
  context(input: I, deps: AgentDeps): Promise<AgentContext>;
  /** The instructions (trusted). The context is appended as the user message. */
  system: string | ((input: I) => string);
  /**
   * The task line, placed before the context (trusted). Any untrusted value in it (a vendor's name from
   * OCR, a customer's name from a mail) goes through `quote`, which fences it inline with this request's
   * nonce; better still, leave it to the fenced sections.
   */
  task(input: I, quote: (untrusted: string) => string): string;
  tokenBudget?: number;
  /** Confidence of an output in [0,1]; below `minConfidence` the work goes to the deep tier. */
  confidence?(output: O): number;
  minConfidence?: number;
  /** High-stakes items go to the deep tier even when the fast pass is confident. */
  highStakes?(input: I, output: O): boolean;
  /** The no-model draft: always produced when no model is configured, then escalated to the operator. */
  template(input: I, ctx: AgentContext): O;
  /** Deterministic post-processing (policy checks, merging computed fields), both for model and template outputs. */
  finalize?(input: I, output: O, ctx: AgentContext): O;
}

export interface AgentResult<O> {
  output: O;
  mode: 'model' | 'template';
  /** True when the operator must look at it: no model, low confidence after the deep pass, or a policy flag. */
  escalate: boolean;
  escalateReason: string | null;
  tier: Tier | null;
  deepPass: { taken: boolean; reason: 'low_confidence' | 'high_stakes' | 'invalid_output' | null };
  callIds: string[];
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  context: { tokens: number; dropped: string[]; retrievalIds: string[]; entityIds: string[] };
}

export interface Agent<I, O, In = I> {
  readonly name: string;
  readonly definition: AgentDefinition<I, O, In>;
  run(input: In, deps: AgentDeps): Promise<AgentResult<O>>;
}

/**
 * Declares an agent with the seed's deterministic interface: typed input, the memory it reads, typed
 * output, named failure modes, a tier. Staged refinement: a low-confidence or high-stakes result of the
 * fast pass is redone on the deep tier (recorded with purpose `deep_pass`). With no model, the
 * template produces a draft and the result asks for escalation instead of failing.
 */
export function defineAgent<I, O, In = I>(def: AgentDefinition<I, O, In>): Agent<I, O, In> {
  if (!/^[a-z][a-z0-9-]{1,40}$/.test(def.name)) throw new Error(`Agent name "${def.name}" must be lower-case letters, digits and dashes.`);
  if (def.concurrency !== undefined && (!Number.isInteger(def.concurrency) || def.concurrency < 1 || def.concurrency > 256)) throw new Error(`Agent ${def.name}: concurrency must be an integer from 1 to 256.`);
  const handling = { ...DEFAULT_FAILURE_HANDLING, ...def.failureModes };
  return {
    name: def.name,
    definition: def,
    async run(rawInput, deps) {
      const input = def.input.parse(rawInput);
      const ctx = await def.context(input, deps);
      // One fence per run: its nonce is in every marker and in the system rule, so no stored text can close it.
      const fence = createFence();
      const built = buildContext([{ name: 'task', text: def.task(input, fence.inline), priority: 0, provenance: 'system', required: true }, ...ctx.sections], def.tokenBudget ?? 1_800, fence);
      const base: Omit<AgentResult<O>, 'output' | 'mode' | 'escalate' | 'escalateReason' | 'tier'> = {
        deepPass: { taken: false, reason: null },
        callIds: [],
        tokensIn: 0,
        tokensOut: 0,
        costUsd: 0,
        context: { tokens: built.tokens, dropped: built.dropped, retrievalIds: ctx.retrievalIds, entityIds: ctx.entityIds },
      };
      const finalize = (o: O) => (def.finalize ? def.finalize(input, o, ctx) : o);
      const templated = (reason: string): AgentResult<O> => ({ ...base, output: finalize(def.output.parse(def.template(input, ctx))), mode: 'template', escalate: true, escalateReason: reason, tier: null });

      if (deps.model.mode === 'no_model' || !deps.model.hasTier(def.tier)) return templated('model_not_configured');

      const system = `${typeof def.system === 'function' ? def.system(input) : def.system}\n\n${fence.rule()}`;
      const messages: ChatMessage[] = [
        { role: 'system', content: system },
        { role: 'user', content: built.text },
      ];
      const meta = { ...deps.meta, agent: def.name, entityIds: [...new Set([...(deps.meta?.entityIds ?? []), ...ctx.entityIds])] };
      // Output that fails validation gets exactly one repair call, on the deep tier when the agent sends
      // invalid output there, and then escalates: never a second structured call with a repair of its own.
      const repairTier: Tier | undefined = handling.invalid_output === 'deep_pass' && def.tier === 'fast' && deps.model.hasTier('deep') ? 'deep' : undefined;
      let tier: Tier = def.tier;
      const call = async (callTier: Tier, purpose: 'first_pass' | 'deep_pass') => {
        const r = await deps.model.structured({ tier: callTier, messages, schema: def.output, schemaName: def.name.replace(/-/g, '_'), meta: { ...meta, purpose }, repairTier: purpose === 'first_pass' ? repairTier : undefined });
        if (r.repaired && purpose === 'first_pass' && repairTier) {
          base.deepPass = { taken: true, reason: 'invalid_output' };
          tier = repairTier;
        }
        base.callIds.push(r.call.callId);
        base.tokensIn += r.call.tokensIn;
        base.tokensOut += r.call.tokensOut;
        base.costUsd += r.call.costUsd;
        return r.value;
      };

      let output: O;
      try {
        output = await call(def.tier, 'first_pass');
      } catch (err) {
        if (agentFailureCode(err) === 'model_not_configured') return templated('model_not_configured');
        throw err;
      }

      // Judge the finalized output: computed fields (policy, deterministic matches) outrank the model's claims.
      const first = finalize(output);
      const conf = def.confidence?.(first);
      const low = conf !== undefined && conf < (def.minConfidence ?? 0.6);
      const stakes = def.highStakes?.(input, first) ?? false;
      if (!base.deepPass.taken && tier === 'fast' && (low || stakes) && deps.model.hasTier('deep')) {
        base.deepPass = { taken: true, reason: low ? 'low_confidence' : 'high_stakes' };
        tier = 'deep';
        try {
          output = await call('deep', 'deep_pass');
        } catch (err) {
          // The deep pass is an improvement, not a requirement: keep the fast answer unless money ran out.
          if (agentFailureCode(err) === 'budget_exceeded') throw err;
        }
      }
      output = finalize(output);
      const finalConf = def.confidence?.(output);
      const stillLow = finalConf !== undefined && finalConf < (def.minConfidence ?? 0.6);
      if (stillLow && handling.low_confidence === 'escalate') throw new AgentError('low_confidence', `${def.name}: confidence ${finalConf} is below ${def.minConfidence ?? 0.6}.`, { details: { confidence: finalConf } });
      return { ...base, output, mode: 'model', escalate: stillLow, escalateReason: stillLow ? 'low_confidence' : null, tier };
    },
  };
}
