/**
 * connectors/: the integration bus. Every outside system is a Connector; a process step reaches it only
 * through `ctx.effect(spec, effectHandlers(connector, request))`, so the write ledger makes each write
 * happen at most once and a crash mid-write is reconciled, never repeated blindly.
 */
import type { EffectHandlers } from '../coordinator/index.ts';

export interface Connector<Req, Res> {
  readonly name: string;
  /** Sends the write, passing the idempotency key to the outside system where it supports one. */
  perform(request: Req, idempotencyKey: string): Promise<{ externalId?: string | null; result: Res }>;
  /** Finds a write by its idempotency key after a crash left its outcome unknown; null if it never arrived. */
  reconcile?(idempotencyKey: string): Promise<{ externalId?: string | null; result: Res } | null>;
}

/** Adapts a connector and one request to the handlers `ctx.effect` takes. */
export function effectHandlers<Req, Res>(connector: Connector<Req, Res>, request: Req): EffectHandlers<Res> {
  return {
    perform: (key) => connector.perform(request, key),
    reconcile: connector.reconcile ? (key) => connector.reconcile!(key) : undefined,
  };
}
