/** USD per million tokens. */
export interface Price {
  inputPerM: number;
  outputPerM: number;
}

/**
 * The prices the COO ships with, so a cap means something before anyone types `/costs price`: USD per
 * million tokens, as the providers published them on `SHIPPED_PRICES_AS_OF`. A row in model_price (set
 * with `/costs price <model> <in> <out>`) always wins; a model in neither is refused under a cap
 * (model.service.ts), because a call that costs "$0" would never trip one.
 */
export const SHIPPED_PRICES_AS_OF = '2025-08-07';

export const SHIPPED_PRICES: Readonly<Record<string, Price>> = {
  // OpenAI
  'gpt-5': { inputPerM: 1.25, outputPerM: 10 },
  'gpt-5-mini': { inputPerM: 0.25, outputPerM: 2 },
  'gpt-5-nano': { inputPerM: 0.05, outputPerM: 0.4 },
  'gpt-4.1': { inputPerM: 2, outputPerM: 8 },
  'gpt-4.1-mini': { inputPerM: 0.4, outputPerM: 1.6 },
  'gpt-4.1-nano': { inputPerM: 0.1, outputPerM: 0.4 },
  'gpt-4o': { inputPerM: 2.5, outputPerM: 10 },
  'gpt-4o-mini': { inputPerM: 0.15, outputPerM: 0.6 },
  'o3': { inputPerM: 2, outputPerM: 8 },
  'o3-mini': { inputPerM: 1.1, outputPerM: 4.4 },
  'o4-mini': { inputPerM: 1.1, outputPerM: 4.4 },
  'text-embedding-3-small': { inputPerM: 0.02, outputPerM: 0 },
  'text-embedding-3-large': { inputPerM: 0.13, outputPerM: 0 },
  'text-embedding-ada-002': { inputPerM: 0.1, outputPerM: 0 },
  // Anthropic (through an OpenAI-compatible gateway)
  'claude-opus-4-1': { inputPerM: 15, outputPerM: 75 },
  'claude-opus-4': { inputPerM: 15, outputPerM: 75 },
  'claude-sonnet-4': { inputPerM: 3, outputPerM: 15 },
  'claude-3-7-sonnet': { inputPerM: 3, outputPerM: 15 },
  'claude-3-5-haiku': { inputPerM: 0.8, outputPerM: 4 },
  // Google
  'gemini-2.5-pro': { inputPerM: 1.25, outputPerM: 10 },
  'gemini-2.5-flash': { inputPerM: 0.3, outputPerM: 2.5 },
  'gemini-2.5-flash-lite': { inputPerM: 0.1, outputPerM: 0.4 },
  'gemini-2.0-flash': { inputPerM: 0.1, outputPerM: 0.4 },
  // Mistral, DeepSeek
  'mistral-large-latest': { inputPerM: 2, outputPerM: 6 },
  'mistral-small-latest': { inputPerM: 0.1, outputPerM: 0.3 },
  'deepseek-chat': { inputPerM: 0.27, outputPerM: 1.1 },
  'deepseek-reasoner': { inputPerM: 0.55, outputPerM: 2.19 },
};

/**
 * The shipped price of a model as gateways and providers spell it: `openai/gpt-4o-mini`,
 * `gpt-4o-mini-2024-07-18` and `claude-sonnet-4-20250514` are the listed models.
 */
export function shippedPrice(model: string): Price | null {
  const bare = model.slice(model.lastIndexOf('/') + 1).toLowerCase();
  const undated = bare.replace(/-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4})$/, '').replace(/-latest$/, '');
  return SHIPPED_PRICES[bare] ?? SHIPPED_PRICES[undated] ?? SHIPPED_PRICES[`${undated}-latest`] ?? null;
}
