import type OpenAI from 'openai';
import { createLeanFetch } from './lean-fetch.ts';
import { ProviderCallError, type ChatProvider, type ProviderChatResponse, type ToolCall } from './model.port.ts';

/**
 * An OpenAI-compatible endpoint (OpenAI, llama.cpp, Ollama, vLLM, a gateway) through the official SDK.
 * The SDK's own retries are off (`maxRetries: 0`): the model service owns retries, so Retry-After,
 * fallbacks and the circuit breaker see every failure once and requests are counted once.
 */
export function createOpenAiProvider(opts: { name: string; baseURL: string; apiKey: string }): ChatProvider {
  // The SDK (~150 modules) is loaded on the first call, not here: `coo status` and the other commands
  // that compose the AI layer without calling a model never pay for it.
  let sdk: Promise<{ OpenAI: typeof OpenAI; client: OpenAI }> | null = null;
  const load = () =>
    (sdk ??= import('openai').then(({ default: OpenAI }) => ({ OpenAI, client: new OpenAI({ baseURL: opts.baseURL, apiKey: opts.apiKey, maxRetries: 0, fetch: createLeanFetch() }) })));
  return {
    name: opts.name,
    async chat(model, params, { timeoutMs, signal }): Promise<ProviderChatResponse> {
      const body: Record<string, unknown> = { model, messages: params.messages };
      if (params.tools?.length) {
        body.tools = params.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }));
        if (params.toolChoice) body.tool_choice = params.toolChoice;
      }
      if (params.temperature !== undefined) body.temperature = params.temperature;
      if (params.maxTokens !== undefined) body.max_tokens = params.maxTokens;
      if (params.responseFormat) {
        body.response_format = { type: 'json_schema', json_schema: { name: params.responseFormat.name, schema: params.responseFormat.schema, strict: true } };
      }
      const { OpenAI: Sdk, client } = await load();
      let res: OpenAI.Chat.Completions.ChatCompletion;
      try {
        res = (await client.chat.completions.create(body as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming, {
          timeout: timeoutMs,
          signal,
        })) as OpenAI.Chat.Completions.ChatCompletion;
      } catch (err) {
        throw normaliseError(err, Sdk);
      }
      const choice = res?.choices?.[0];
      if (!choice || !choice.message) throw new ProviderCallError('malformed', 'Response has no choices[0].message', 200, null);
      const toolCalls: ToolCall[] = (choice.message.tool_calls ?? [])
        .filter((c) => c.type === 'function')
        .map((c) => {
          const f = (c as { function: { name: string; arguments: string } }).function;
          return { id: c.id, type: 'function' as const, function: { name: f.name, arguments: f.arguments } };
        });
      return {
        content: choice.message.content ?? null,
        toolCalls,
        finishReason: choice.finish_reason ?? null,
        tokensIn: res.usage?.prompt_tokens ?? 0,
        tokensOut: res.usage?.completion_tokens ?? 0,
        raw: res,
      };
    },
    async embed(model, input, { timeoutMs }) {
      const { OpenAI: Sdk, client } = await load();
      try {
        // float, not the SDK's base64 default: local servers (llama.cpp, Ollama) do not all speak base64.
        const res = await client.embeddings.create({ model, input, encoding_format: 'float' }, { timeout: timeoutMs });
        const vectors = [...res.data].sort((a, b) => a.index - b.index).map((d) => d.embedding as number[]);
        if (vectors.length !== input.length) throw new ProviderCallError('malformed', `Expected ${input.length} embeddings, got ${vectors.length}`, 200, null);
        return { vectors, tokensIn: res.usage?.prompt_tokens ?? 0 };
      } catch (err) {
        throw err instanceof ProviderCallError ? err : normaliseError(err, Sdk);
      }
    },
  };
}

/** Maps SDK and transport errors onto the retry policy's vocabulary. */
function normaliseError(err: unknown, OpenAI: typeof import('openai').default): ProviderCallError {
  if (err instanceof ProviderCallError) return err;
  if (err instanceof OpenAI.APIConnectionTimeoutError) return new ProviderCallError('timeout', err.message, null, null);
  if (err instanceof OpenAI.APIUserAbortError) return new ProviderCallError('timeout', 'aborted', null, null);
  if (err instanceof OpenAI.APIConnectionError) return new ProviderCallError('network', err.message, null, null);
  if (err instanceof OpenAI.APIError) {
    const status = err.status ?? null;
    const retryAfterMs = parseRetryAfter(err.headers);
    if (status === 429) return new ProviderCallError('rate_limited', err.message, status, retryAfterMs);
    if (status !== null && (status >= 500 || status === 408)) return new ProviderCallError('server', err.message, status, retryAfterMs);
    return new ProviderCallError('client', err.message, status, null);
  }
  // A 200 whose body is not JSON surfaces as a SyntaxError from the SDK's parser.
  if (err instanceof SyntaxError) return new ProviderCallError('malformed', `Malformed response: ${err.message}`, 200, null);
  return new ProviderCallError('network', err instanceof Error ? err.message : String(err), null, null);
}

/** `retry-after-ms`, or `retry-after` as seconds or an HTTP date. */
export function parseRetryAfter(headers: Headers | undefined | null, now = Date.now()): number | null {
  if (!headers || typeof headers.get !== 'function') return null;
  const ms = headers.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const v = headers.get('retry-after');
  if (!v) return null;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.max(0, Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}
