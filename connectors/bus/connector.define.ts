import type { z } from 'zod';
import type { EffectHandlers, StepContext } from '../../coordinator/index.ts';

/** One item as an outside system delivered it, before its schema has looked at it. */
export interface PulledItem {
  /** The outside system's id for the item (a message id, an event id, a content hash): unique per account. */
  externalId: string;
  /** Which of the connector's `normalize` kinds this item is. */
  kind: string;
  /** The item as received (parsed JSON, a CSV row, a header map); kept verbatim when its schema refuses it. */
  raw: unknown;
}

export interface PullResult<C> {
  items: PulledItem[];
  /** Where the next pull resumes; it is stored only in the transaction that records these items. */
  nextCursor: C;
}

/**
 * A versioned schema for one kind of item: it parses the raw item into the normalized shape processes
 * see. Bump `version` when the normalized shape changes; the version is recorded with each item.
 */
export interface ItemKind<T = unknown> {
  version: number;
  schema: z.ZodType<T>;
  /** The process a recorded item of this kind starts (its input is an InboundItemInput). */
  process: string;
}

/** One typed write to the outside system, made at most once per idempotency key through ctx.effect. */
export interface WriteDefinition<Req, Res> {
  intent: string;
  /** Sends the write, passing the idempotency key to the outside system where it supports one. */
  perform(request: Req, idempotencyKey: string): Promise<{ externalId?: string | null; result: Res }>;
  /** Finds a write by its key after a crash left its outcome unknown; null when it never arrived. */
  reconcile?(idempotencyKey: string): Promise<{ externalId?: string | null; result: Res } | null>;
}

export interface ConnectorHealth {
  ok: boolean;
  /** What was found, or exactly what to do about it (never a credential). */
  detail: string;
}

export interface ConnectorDefinition<C = unknown, W extends Record<string, WriteDefinition<any, any>> = Record<string, WriteDefinition<any, any>>> {
  name: string;
  version: number;
  /** Polled connectors read a page of items from their cursor (null: from the start). Webhook-only and import connectors have none. */
  pull?(cursor: C | null, ctx: { account: string; signal: AbortSignal }): Promise<PullResult<C>>;
  normalize: Record<string, ItemKind>;
  writes?: W;
  health?(): Promise<ConnectorHealth>;
  /** How often a polled connector is pulled (default one minute). */
  pollEveryMs?: number;
  /** With no item for this long the status says the connector "stopped delivering" (unset: never). */
  expectItemEveryMs?: number;
}

/** What a process started by an inbound item receives as input. */
export interface InboundItemInput<T = unknown> {
  connector: string;
  account: string;
  externalId: string;
  kind: string;
  schemaVersion: number;
  item: T;
}

/**
 * Declares a connector: an adapter between one outside system and the bus. Processes never see the
 * outside system's protocol (IMAP, HTTP, CSV); they get normalized items and typed writes. Checked
 * here: names safe for keys and metrics labels, positive versions. Write `perform`/`reconcile` as
 * arrow functions: TypeScript does not infer the writes' request types through method syntax.
 */
export function defineConnector<C, W extends Record<string, WriteDefinition<any, any>> = Record<string, WriteDefinition<any, any>>>(def: ConnectorDefinition<C, W>): ConnectorDefinition<C, W> {
  if (!/^[a-z][a-z0-9-]{0,40}$/.test(def.name)) throw new Error(`Connector name "${def.name}" must be lower-case letters, digits and dashes.`);
  if (!Number.isInteger(def.version) || def.version < 1) throw new Error(`Connector ${def.name}: version must be a positive integer.`);
  for (const [kind, k] of Object.entries(def.normalize)) {
    if (!/^[a-z][a-z0-9_.-]{0,60}$/.test(kind)) throw new Error(`Connector ${def.name}: item kind "${kind}" must be lower-case letters, digits, dots, dashes or _.`);
    if (!Number.isInteger(k.version) || k.version < 1) throw new Error(`Connector ${def.name}: kind ${kind} needs a positive schema version.`);
  }
  return def;
}

/** A connector's writes as functions a step calls: each goes through ctx.effect (the write ledger). */
export type ConnectorWrites<W extends Record<string, WriteDefinition<any, any>>> = {
  [K in keyof W]: W[K] extends WriteDefinition<infer Req, infer Res> ? (ctx: Pick<StepContext, 'effect'>, key: string, request: Req) => Promise<Res> : never;
};

/** Builds the typed write functions a connector offers processes (as a service). */
export function connectorWrites<W extends Record<string, WriteDefinition<any, any>>>(def: ConnectorDefinition<any, W>): ConnectorWrites<W> {
  const out: Record<string, unknown> = {};
  for (const [name, w] of Object.entries(def.writes ?? {}) as Array<[string, WriteDefinition<unknown, unknown>]>) {
    out[name] = (ctx: Pick<StepContext, 'effect'>, key: string, request: unknown) =>
      ctx.effect({ key, connector: def.name, intent: w.intent, request }, writeHandlers(w, request));
  }
  return out as ConnectorWrites<W>;
}

/** Adapts one write and its request to the handlers `ctx.effect` takes. */
export function writeHandlers<Req, Res>(w: WriteDefinition<Req, Res>, request: Req): EffectHandlers<Res> {
  return {
    perform: (key) => w.perform(request, key),
    reconcile: w.reconcile ? (key) => w.reconcile!(key) : undefined,
  };
}
