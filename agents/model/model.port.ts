import { z } from 'zod';

/** The two quality/price tiers an agent can ask for; each maps to a configured fallback chain. */
export const TierSchema = z.enum(['fast', 'deep']);
export type Tier = z.infer<typeof TierSchema>;

export const ToolCallSchema = z.object({
  id: z.string(),
  type: z.literal('function').default('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});
export type ToolCall = z.infer<typeof ToolCallSchema>;

export const ChatMessageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: z.string() }),
  z.object({ role: z.literal('user'), content: z.string() }),
  z.object({ role: z.literal('assistant'), content: z.string().nullable(), tool_calls: z.array(ToolCallSchema).optional() }),
  z.object({ role: z.literal('tool'), content: z.string(), tool_call_id: z.string() }),
]);
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

export const ToolSpecSchema = z.object({
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
  description: z.string(),
  /** JSON Schema of the arguments object. */
  parameters: z.record(z.string(), z.unknown()),
});
export type ToolSpec = z.infer<typeof ToolSpecSchema>;

/** Who a call is for: recorded with it, used for budgets and for /forget. */
export const CallMetaSchema = z.object({
  agent: z.string().optional(),
  process: z.string().optional(),
  runId: z.string().optional(),
  step: z.string().optional(),
  entityIds: z.array(z.string()).default([]),
  /** Why the call is made: first_pass, deep_pass (staged refinement), repair, replay. */
  purpose: z.enum(['first_pass', 'deep_pass', 'repair', 'replay']).default('first_pass'),
  /** The recorded call this one replays. */
  replayOf: z.string().optional(),
});
export type CallMeta = z.input<typeof CallMetaSchema>;

export interface ChatRequest {
  tier: Tier;
  messages: ChatMessage[];
  tools?: ToolSpec[];
  toolChoice?: 'auto' | 'none' | 'required';
  temperature?: number;
  maxTokens?: number;
  /** JSON-schema structured output (set by `structured`). */
  responseFormat?: { name: string; schema: Record<string, unknown> };
  meta?: CallMeta;
  /** Pin one model (replay); skips the tier's chain. */
  model?: string;
  /** An operator's explicit replay goes through even while the provider's circuit is open. */
  ignoreBreaker?: boolean;
  signal?: AbortSignal;
}

export interface ChatResult {
  callId: string;
  provider: string;
  model: string;
  content: string | null;
  toolCalls: ToolCall[];
  finishReason: string | null;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  latencyMs: number;
  /** Models tried before this one answered (fallbacks). */
  fellBackFrom: string[];
  /** The answer was recorded earlier for this run's step and reused: nothing new was paid. */
  reused?: boolean;
}

export type StructuredRequest<T> = ChatRequest & {
  schema: z.ZodType<T>;
  schemaName: string;
  /** Where the one repair call goes (default: the model that answered); an agent sends it to its deep tier. */
  repairTier?: Tier;
};

export interface StructuredResult<T> {
  value: T;
  call: ChatResult;
  /** True when the first answer failed validation and the repair attempt succeeded. */
  repaired: boolean;
}

export interface EmbedResult {
  vectors: number[][];
  model: string;
  dims: number;
}

/**
 * The only way agents reach a model. Adapters behind it own retries, fallbacks, the circuit breaker,
 * budgets and the call log, so an agent sees one call that either answers or fails with a typed code.
 */
export interface ModelPort {
  /** `model` when a chat endpoint is configured; `no_model` means template drafts and escalation. */
  readonly mode: 'model' | 'no_model';
  /** Whether `embed` works (an embedding model is configured). */
  readonly canEmbed: boolean;
  hasTier(tier: Tier): boolean;
  chat(req: ChatRequest): Promise<ChatResult>;
  /** Chat with JSON-schema output validated by zod; one repair attempt, then `invalid_output`. */
  structured<T>(req: StructuredRequest<T>): Promise<StructuredResult<T>>;
  embed(texts: string[], meta?: CallMeta): Promise<EmbedResult>;
  /** One line per tier for `coo doctor`. */
  describe(): { mode: 'model' | 'no_model'; tiers: Record<Tier, string[]>; embed: string | null };
}

/** A raw provider response, normalised. */
export interface ProviderChatResponse {
  content: string | null;
  toolCalls: ToolCall[];
  finishReason: string | null;
  tokensIn: number;
  tokensOut: number;
  raw: unknown;
}

/** Why a provider call failed, normalised so the retry policy needs no SDK types. */
export type ProviderFailureKind = 'rate_limited' | 'server' | 'timeout' | 'network' | 'client' | 'malformed';

export class ProviderCallError extends Error {
  constructor(
    readonly kind: ProviderFailureKind,
    message: string,
    readonly status: number | null,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
    this.name = 'ProviderCallError';
  }
  get retryable(): boolean {
    return this.kind !== 'client';
  }
}

/** One OpenAI-compatible endpoint. Adapters: openai.adapter.ts. */
export interface ChatProvider {
  readonly name: string;
  chat(model: string, params: Omit<ChatRequest, 'tier' | 'meta' | 'model' | 'signal'>, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<ProviderChatResponse>;
  embed(model: string, input: string[], opts: { timeoutMs: number }): Promise<{ vectors: number[][]; tokensIn: number }>;
}
