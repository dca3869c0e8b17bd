import type { Tx } from '../engine/run-tx.ts';

/**
 * Whether a transition of this run already recorded `requestKey` (the operator request it answered).
 * Transitions an operator asks for write the key into their event; when a redelivered request finds its
 * precondition gone (the approval decided, the run cancelled), this tells "this same request did it"
 * (answer as done, change nothing) from "someone else did" (say so).
 */
export async function recordedUnder(tx: Tx, runId: string, requestKey: string | null | undefined): Promise<boolean> {
  if (!requestKey) return false;
  const rows = await tx.$queryRaw<Array<{ seq: number }>>`SELECT seq FROM run_event WHERE run_id = ${runId} AND data->>'requestKey' = ${requestKey} LIMIT 1`;
  return rows.length > 0;
}
