import type { Tx } from '../engine/run-tx.ts';

/**
 * Whether a transition of this run already recorded `requestKey` (the operator request it answered).
 * Transitions an operator asks for write the key into their event; when a redelivered request finds its
 * precondition gone (the approval decided, the run cancelled), this tells "this same request did it"
 * (answer as done, change nothing) from "someone else did" (say so). Returns that event, or null.
 */
export async function recordedUnder(tx: Tx, runId: string, requestKey: string | null | undefined): Promise<{ seq: number; step: string | null } | null> {
  if (!requestKey) return null;
  const rows = await tx.$queryRaw<Array<{ seq: number; step: string | null }>>`SELECT seq, step FROM run_event WHERE run_id = ${runId} AND data->>'requestKey' = ${requestKey} ORDER BY seq LIMIT 1`;
  return rows[0] ?? null;
}
