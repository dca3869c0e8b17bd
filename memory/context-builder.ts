import { createFence, type Fence } from './fence.ts';
import { estimateTokens } from './memory.types.ts';

/**
 * Where a piece of context came from. Only `system` (the agent's own task and computed facts) and
 * `operator` (what the operator wrote or typed) are shown to a model as plain text; everything else,
 * and anything derived from it (a summary of customer mail, a model's output), is `untrusted` and fenced.
 */
export type Provenance = 'system' | 'operator' | 'untrusted';

/** The provenance of text derived from several records: untrusted as soon as one of them is. */
export function combinedProvenance(items: Array<{ provenance?: string | null }>): Provenance {
  if (items.some((i) => i.provenance !== 'operator' && i.provenance !== 'system')) return 'untrusted';
  return items.some((i) => i.provenance === 'operator') ? 'operator' : 'system';
}

export interface ContextSection {
  name: string;
  text: string;
  /** Lower goes first and is cut last. */
  priority: number;
  /** Required: a section says where its text came from; anything but system/operator is fenced as data. */
  provenance: Provenance;
  /** Never truncated (the task itself). */
  required?: boolean;
}

export interface BuiltContext {
  text: string;
  tokens: number;
  included: Array<{ name: string; tokens: number; truncated: boolean }>;
  dropped: string[];
}

/**
 * Assembles an agent's short-term execution window within a token budget: sections in priority order,
 * the last one that does not fit is truncated, the rest are dropped and reported. Untrusted sections
 * (by provenance) go inside `fence` blocks; a section's name is fenced with it, as it may carry an
 * untrusted name (a sender).
 */
export function buildContext(sections: ContextSection[], budgetTokens: number, fence: Fence = createFence()): BuiltContext {
  const sorted = [...sections].sort((a, b) => a.priority - b.priority);
  const parts: string[] = [];
  const included: BuiltContext['included'] = [];
  const dropped: string[] = [];
  let used = 0;
  const render = (s: ContextSection, text: string) => (s.provenance === 'untrusted' ? fence.block(s.name, text) : `## ${s.name}\n${text}`);
  for (const s of sorted) {
    if (!s.text.trim()) continue;
    const full = render(s, s.text);
    const cost = estimateTokens(full);
    if (used + cost <= budgetTokens || s.required) {
      parts.push(full);
      included.push({ name: s.name, tokens: cost, truncated: false });
      used += cost;
      continue;
    }
    const room = budgetTokens - used - estimateTokens(render(s, '…'));
    if (room >= 40) {
      const text = `${s.text.slice(0, room * 4)}…`;
      const piece = render(s, text);
      parts.push(piece);
      included.push({ name: s.name, tokens: estimateTokens(piece), truncated: true });
      used += estimateTokens(piece);
    } else dropped.push(s.name);
  }
  return { text: parts.join('\n\n'), tokens: used, included, dropped };
}
