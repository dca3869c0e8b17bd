import type { CallRecorder } from './call-recorder.ts';
import type { ChatMessage, ModelPort, Tier, ToolSpec } from './model.port.ts';

export interface ReplayResult {
  original: { id: string; model: string; outcome: string; output: string | null; error: string | null };
  replay: { id: string | null; model: string | null; outcome: 'ok' | 'error'; output: string | null; error: string | null };
}

/**
 * Re-sends a recorded call, exactly as stored, to the current chain of its tier or to `model`
 * (`provider:model` or a bare model), and returns the old and new output for a side-by-side view.
 */
export async function replayCall(deps: { recorder: CallRecorder; model: ModelPort }, id: string, opts: { model?: string } = {}): Promise<ReplayResult> {
  const rec = await deps.recorder.get(id);
  if (!rec) throw new Error(`No recorded model call ${id}.`);
  const r = rec.request as { tier?: Tier; messages: ChatMessage[]; tools?: ToolSpec[]; toolChoice?: 'auto' | 'none' | 'required'; temperature?: number; maxTokens?: number; responseFormat?: { name: string; schema: Record<string, unknown> } };
  const original = { id: rec.id, model: `${rec.provider}:${rec.model}`, outcome: rec.outcome, output: rec.output ?? null, error: rec.errorMessage ?? null };
  try {
    const res = await deps.model.chat({
      tier: r.tier === 'deep' ? 'deep' : 'fast',
      messages: r.messages,
      tools: r.tools,
      toolChoice: r.toolChoice,
      temperature: r.temperature,
      maxTokens: r.maxTokens,
      responseFormat: r.responseFormat,
      model: opts.model,
      ignoreBreaker: true,
      meta: { agent: rec.agent ? `replay:${rec.agent}` : 'replay', process: rec.process, runId: rec.runId, step: rec.step, entityIds: rec.entityIds, purpose: 'replay', replayOf: rec.id },
    });
    return { original, replay: { id: res.callId, model: `${res.provider}:${res.model}`, outcome: 'ok', output: res.content ?? (res.toolCalls.length ? JSON.stringify(res.toolCalls) : null), error: null } };
  } catch (err) {
    return { original, replay: { id: null, model: opts.model ?? null, outcome: 'error', output: null, error: `${(err as { code?: string }).code ?? 'error'}: ${(err as Error).message}` } };
  }
}

/** Old and new output side by side, for a terminal or a chat message. */
export function formatReplay(r: ReplayResult, width = 60): string {
  const left = [`ORIGINAL ${r.original.id}`, `model: ${r.original.model}`, `outcome: ${r.original.outcome}`, ...(r.original.output ?? r.original.error ?? '').split('\n')];
  const right = [`REPLAY ${r.replay.id ?? '-'}`, `model: ${r.replay.model ?? '-'}`, `outcome: ${r.replay.outcome}`, ...(r.replay.output ?? r.replay.error ?? '').split('\n')];
  const wrap = (lines: string[]) => lines.flatMap((l) => (l.length <= width ? [l] : l.match(new RegExp(`.{1,${width}}`, 'g')) ?? ['']));
  const a = wrap(left);
  const b = wrap(right);
  const n = Math.max(a.length, b.length);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`${(a[i] ?? '').padEnd(width)} | ${b[i] ?? ''}`);
  return out.join('\n');
}
