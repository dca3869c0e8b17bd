import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { OperatorApi } from '../../coordinator/index.ts';
import type { ConversationEvent, ConversationMessage } from '../../coordinator/index.ts';
import type { DeliverContext, SurfaceAdapter } from './adapter.ts';
import type { PairingStore } from './pairing.ts';
import { OutboundQueue, type OutboundQueueOptions } from './rate-limiter.ts';
import { safeErr } from './redact.ts';
import type { ChatStateStore } from './store.ts';

export interface SurfaceHubOptions {
  operator: OperatorApi;
  pairing: PairingStore;
  store: ChatStateStore;
  logger: Logger;
  queue: Pick<OutboundQueueOptions, 'perChatIntervalMs' | 'globalPerSecond' | 'maxAttempts'>;
  /** How long a reply waits for its inbound message's chat to be known (the adapter notes it right after handleMessage). */
  originWaitMs?: number;
}

interface AdapterState {
  adapter: SurfaceAdapter;
  queue: OutboundQueue;
  /** Created messages whose deliveries have not settled yet (ids as bigint). */
  pending: Map<bigint, number>;
  /** "messageId:chatId" of first sends not finished yet, so an edit heard meanwhile is queued behind them. */
  inflight: Set<string>;
  /** Every message up to this id has been listed and routed (or is pending in `pending`). */
  listedUpTo: bigint;
  /** Ids routed recently, so a late notification does not route a message twice. */
  routed: Set<string>;
  /** Latest updatedAt among the events handled, and the edits still in flight (their updatedAt). */
  seenUpTo: number;
  editsInFlight: Map<string, number>;
  routing: Promise<void>;
  /** When an update to a message was last heard (ms), so a queued first send does not use a stale body. */
  lastUpdate: Map<string, number>;
  /** Catch-up is done: messages listed from now on were created while this hub was listening. */
  live: boolean;
  cursorSaving: Promise<void>;
  /** A cursor write is queued behind the one in flight; and what was written last. */
  saveQueued: boolean;
  saved: { id: bigint; at: number } | null;
}

const renderKey = (m: ConversationMessage) => createHash('sha1').update(JSON.stringify(m.body)).digest('base64');

/**
 * Fans the conversation out to the chat surfaces. It listens to operator.subscribe (events from every
 * process), routes each created message (a reply to the chat its question came from; escalations, notices
 * and digests to every bound chat), sends through a per-chat ordered, rate-limited queue, records each
 * delivery so decisions edit the very same copies, and keeps a per-surface cursor so that messages
 * created while this process was down are delivered, and missed edits applied, when it starts again.
 */
export class SurfaceHub {
  private readonly states = new Map<string, AdapterState>();
  private readonly origins = new Map<string, { surface: string; chatId: string }>();
  private readonly originWaiters = new Map<string, Array<() => void>>();
  /** handleMessage calls in progress: a reply (or progress note) can be written before the call returns. */
  private readonly inboundInFlight = new Set<{ surface: string; chatId: string; externalId: string | null; text: string; fileCount: number }>();
  private readonly rendered = new Map<string, string>();
  private unsubscribe: (() => void) | null = null;
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly opts: SurfaceHubOptions) {
    this.log = opts.logger.child({ component: 'surface-hub' });
  }

  private startedAt = 0;

  /** Adds a surface. Registered after start, it catches up and joins the live stream at once. */
  register(adapter: SurfaceAdapter): Promise<void> {
    const queue = new OutboundQueue({
      ...this.opts.queue,
      ...adapter.pacing,
      classify: (err) => adapter.classifyError(err),
      onGiveUp: (err, chatKey) => this.log.warn({ surface: adapter.name, chat: chatKey, err: safeErr(err) }, 'gave up on an outbound message'),
    });
    const st: AdapterState = { adapter, queue, pending: new Map(), inflight: new Set(), listedUpTo: 0n, routed: new Set(), live: false, lastUpdate: new Map(), seenUpTo: 0, editsInFlight: new Map(), routing: Promise.resolve(), cursorSaving: Promise.resolve(), saveQueued: false, saved: null };
    this.states.set(adapter.name, st);
    return this.unsubscribe ? this.catchUp(st) : Promise.resolve();
  }

  get adapters(): SurfaceAdapter[] {
    return [...this.states.values()].map((s) => s.adapter);
  }

  /** Subscribes to live changes, then delivers what was created (or edited) while no hub was running. */
  async start(): Promise<void> {
    this.startedAt = Date.now();
    const catchUps = [...this.states.values()].map((st) => this.catchUp(st));
    this.unsubscribe = this.opts.operator.subscribe((event) => {
      for (const st of this.states.values()) this.onEvent(st, event);
    });
    await Promise.all(catchUps);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    for (const st of this.states.values()) {
      st.queue.stop();
      await st.routing;
      await st.cursorSaving;
    }
  }

  /** Waits until every routed event's sends and edits have run (tests and graceful shutdown). */
  async idle(): Promise<void> {
    for (const st of this.states.values()) {
      await st.routing;
      await st.queue.drained();
    }
  }

  /**
   * Announces a handleMessage call before it is made, so that messages the coordinator writes in reply
   * while still handling it (progress notes such as "Reading invoice…") find their chat at once.
   * Returns the function that ends the announcement.
   */
  beginInbound(info: { surface: string; chatId: string; externalId: string | null; text: string; fileCount: number }): () => void {
    const entry = { ...info };
    this.inboundInFlight.add(entry);
    return () => void this.inboundInFlight.delete(entry);
  }

  /**
   * Tells the hub which chat an inbound message came from, so the coordinator's reply goes back there
   * (and only there). Also recorded as a delivery, so replies written later by a worker find it.
   */
  async noteOrigin(messageId: string, surface: string, chatId: string, externalId: string | null): Promise<void> {
    this.origins.set(messageId, { surface, chatId });
    if (this.origins.size > 10_000) this.origins.delete(this.origins.keys().next().value!);
    for (const w of this.originWaiters.get(messageId) ?? []) w();
    this.originWaiters.delete(messageId);
    await this.opts.operator.recordDelivery({ messageId, surface, chatId, externalId, status: 'sent' });
  }

  /**
   * Events are routed one at a time per surface, in the order heard, so that two messages created back to
   * back enter each chat's queue in that order; the sends themselves then run in parallel across chats.
   */
  private onEvent(st: AdapterState, event: ConversationEvent): void {
    if (this.stopped) return;
    const at = Date.parse(event.message.updatedAt);
    if (at > st.seenUpTo) st.seenUpTo = at;
    if (event.kind === 'updated') {
      st.lastUpdate.set(event.message.id, at);
      if (st.lastUpdate.size > 5_000) st.lastUpdate.delete(st.lastUpdate.keys().next().value!);
    }
    this.enqueueRouting(st, async () => {
      if (event.kind === 'created') await this.pullCreated(st, event.message);
      else await this.routeUpdated(st, event.message);
    });
  }

  private enqueueRouting(st: AdapterState, fn: () => Promise<void>): Promise<void> {
    st.routing = st.routing.then(async () => {
      if (this.stopped) return;
      try {
        await fn();
      } catch (err) {
        this.log.error({ surface: st.adapter.name, err: safeErr(err) }, 'could not route conversation changes');
      }
    });
    return st.routing;
  }

  /**
   * A "created" notification is a wake-up: we read every message after the last one listed, in id order.
   * So sends follow the conversation's order even when notifications arrive out of order, and a missed
   * notification costs nothing. A message committed late with a lower id is routed when its own
   * notification comes.
   */
  private async pullCreated(st: AdapterState, hint?: ConversationMessage): Promise<void> {
    if (hint && BigInt(hint.id) <= st.listedUpTo) {
      if (!st.routed.has(hint.id)) await this.routeCreated(st, hint, true);
      return;
    }
    if (hint && BigInt(hint.id) === st.listedUpTo + 1n) {
      // The common case: the very next message. Its notification carried it; no need to list.
      await this.routeCreated(st, hint, true);
      st.listedUpTo = BigInt(hint.id);
      this.saveCursor(st);
      return;
    }
    for (;;) {
      const page = await this.opts.operator.listMessages({ after: st.listedUpTo.toString(), limit: 200 });
      for (const m of page) {
        if (!st.routed.has(m.id)) await this.routeCreated(st, m, st.live);
        const id = BigInt(m.id);
        if (id > st.listedUpTo) st.listedUpTo = id;
      }
      if (page.length < 200) break;
    }
    this.saveCursor(st);
  }

  /**
   * `fresh`: heard live after start-up, so this process has not sent it anywhere yet and the first send
   * can skip re-reading the message and its deliveries (catch-up after a restart always checks).
   */
  private async routeCreated(st: AdapterState, m: ConversationMessage, fresh = false): Promise<void> {
    st.routed.add(m.id);
    if (st.routed.size > 5_000) st.routed.delete(st.routed.values().next().value!);
    if (m.direction !== 'out') return;
    const id = BigInt(m.id);
    st.pending.set(id, 1);
    let chats: string[];
    try {
      chats = await this.targets(st.adapter.name, m);
    } catch (err) {
      st.pending.delete(id);
      throw err;
    }
    if (chats.length === 0) {
      st.pending.delete(id);
      return;
    }
    st.pending.set(id, chats.length);
    const settle = () => {
      const left = (st.pending.get(id) ?? 1) - 1;
      if (left <= 0) st.pending.delete(id);
      else st.pending.set(id, left);
      this.saveCursor(st);
    };
    for (const chatId of chats) {
      const key = `${m.id}:${chatId}`;
      st.inflight.add(key);
      void this.sync(st, m.id, chatId, true, fresh ? m : undefined)
        .catch(() => {})
        .finally(() => {
          st.inflight.delete(key);
          settle();
        });
    }
  }

  private async routeUpdated(st: AdapterState, m: ConversationMessage): Promise<void> {
    if (m.direction !== 'out') return;
    const chats = new Set(
      (await this.opts.operator.deliveriesOf(m.id)).filter((d) => d.surface === st.adapter.name && d.status === 'sent').map((d) => d.chatId),
    );
    // A first send still queued or in flight: queue the edit behind it, in the same chat lane.
    for (const key of st.inflight) if (key.startsWith(`${m.id}:`)) chats.add(key.slice(m.id.length + 1));
    // Implicit chats (the console) may show the message from history without a delivery: edit them too.
    if (st.adapter.implicitChats && (await this.reaches(st.adapter.name, m))) for (const c of st.adapter.implicitChats) chats.add(c);
    if (chats.size === 0) return this.saveCursor(st);
    const at = Date.parse(m.updatedAt);
    const key = `${m.id}@${at}`;
    st.editsInFlight.set(key, at);
    void Promise.allSettled([...chats].map((chatId) => this.sync(st, m.id, chatId, false))).then(() => {
      st.editsInFlight.delete(key);
      this.saveCursor(st);
    });
  }

  /** Brings one chat's copy of a message up to date: sends it if it has none yet, else edits it if changed. */
  private sync(st: AdapterState, messageId: string, chatId: string, mayCreate: boolean, fresh?: ConversationMessage): Promise<void> {
    const a = st.adapter;
    const key = `${a.name}:${chatId}:${messageId}`;
    let first = fresh;
    let intentWritten = false;
    return st.queue.enqueue(
      chatId,
      async () => {
        // A fresh message is used as heard only on the first attempt; retries and edits re-read the row.
        let given = first;
        first = undefined;
        if (given && (st.lastUpdate.get(messageId) ?? 0) >= Date.parse(given.updatedAt) && st.lastUpdate.has(messageId)) given = undefined;
        const latest = given ?? (await this.opts.operator.getMessage(messageId));
        if (!latest) return;
        const existing = given ? undefined : (await this.opts.operator.deliveriesOf(messageId)).find((d) => d.surface === a.name && d.chatId === chatId);
        const rk = renderKey(latest);
        if (existing && existing.status === 'sent' && existing.externalId) {
          if (this.rendered.get(key) === rk) return;
          const r = await a.edit(latest, existing);
          this.remember(key, rk);
          if (r && r.externalId !== existing.externalId) {
            await this.opts.operator.recordDelivery({ messageId, surface: a.name, chatId, externalId: r.externalId, status: 'sent' });
          }
          return;
        }
        if (!mayCreate && !existing) {
          // An implicit chat's copy is the message itself: nothing was recorded, there is nothing to look up.
          if (a.implicitChats?.includes(chatId)) await a.edit(latest, { surface: a.name, chatId, externalId: messageId, status: 'sent' });
          return;
        }
        const ctx: DeliverContext = { deliveryId: `${messageId}:${chatId}` };
        try {
          let done: { externalId: string } | null = null;
          if (a.recover) {
            // A pending row (intent written by an earlier process) or an earlier failed attempt: look first.
            if (intentWritten || existing?.status === 'pending') done = await a.recover(latest, chatId, ctx);
            else await this.opts.operator.recordDelivery({ messageId, surface: a.name, chatId, externalId: null, status: 'pending' });
            intentWritten = true;
          }
          done ??= await a.deliver(latest, chatId, ctx);
          this.remember(key, rk);
          // An implicit chat's copy is the message itself: there is nothing to record for edits to find.
          if (!a.implicitChats?.includes(chatId)) {
            await this.opts.operator.recordDelivery({ messageId, surface: a.name, chatId, externalId: done.externalId, status: 'sent' });
          }
        } catch (err) {
          const c = a.classifyError(err);
          if (c.retryAfterMs === undefined && !c.retryable) {
            await this.opts.operator.recordDelivery({ messageId, surface: a.name, chatId, externalId: null, status: 'failed' }).catch(() => {});
          }
          throw err;
        }
      },
      { coalesceKey: messageId },
    );
  }

  private remember(key: string, rk: string): void {
    this.rendered.set(key, rk);
    if (this.rendered.size > 5_000) this.rendered.delete(this.rendered.keys().next().value!);
  }

  /** Which chats of a surface get a newly created outbound message. */
  private async targets(surface: string, m: ConversationMessage): Promise<string[]> {
    const implicit = this.states.get(surface)?.adapter.implicitChats;
    if (implicit) {
      // No history replay into a pane that lists history itself: only what was written while we run.
      if (Date.parse(m.createdAt) < this.startedAt - 1_000) return [];
      return (await this.reaches(surface, m)) ? [...implicit] : [];
    }
    if (m.replyTo) {
      const origin = await this.originOf(m.replyTo);
      if (!origin) return [];
      if (origin.surface !== surface) return [];
      const bound = await this.opts.pairing.bindings(surface);
      return bound.some((b) => b.chatId === origin.chatId) ? [origin.chatId] : [];
    }
    const created = Date.parse(m.createdAt);
    const bound = await this.opts.pairing.bindings(surface);
    // A chat paired after a message was written does not get old history replayed into it.
    return bound.filter((b) => b.boundAt.getTime() <= created + 1_000).map((b) => b.chatId);
  }

  /** Whether a message is for an implicit-chat surface at all: not a reply to a question asked elsewhere. */
  private async reaches(surface: string, m: ConversationMessage): Promise<boolean> {
    if (!m.replyTo) return true;
    const known = this.origins.get(m.replyTo);
    if (known) return known.surface === surface;
    return (await this.opts.operator.getMessage(m.replyTo))?.surface === surface;
  }

  private async originOf(inboundId: string): Promise<{ surface: string; chatId: string } | null> {
    const mem = this.origins.get(inboundId);
    if (mem) return mem;
    const fromDb = async () => {
      const ds = await this.opts.operator.deliveriesOf(inboundId);
      const d = ds.find((x) => this.states.has(x.surface));
      return d ? { surface: d.surface, chatId: d.chatId } : null;
    };
    const found = await fromDb();
    if (found) return found;
    const inbound = await this.opts.operator.getMessage(inboundId);
    if (!inbound || !this.states.has(inbound.surface)) return null;
    // A surface with one implicit chat needs no note: the question came from that chat.
    const only = this.states.get(inbound.surface)!.adapter.implicitChats;
    if (only?.length === 1) return { surface: inbound.surface, chatId: only[0] };
    for (const f of this.inboundInFlight) {
      if (f.surface === inbound.surface && f.text === inbound.body.text && f.fileCount === inbound.body.files.length) {
        await this.noteOrigin(inboundId, f.surface, f.chatId, f.externalId).catch(() => {});
        return { surface: f.surface, chatId: f.chatId };
      }
    }
    // Only a fresh message can still be waiting for its note; old history (first start) is not waited on.
    if (Date.now() - Date.parse(inbound.createdAt) > 30_000) return null;
    // The reply can be announced before the adapter's handleMessage call has returned: wait for its note.
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, this.opts.originWaitMs ?? 1_000);
      const list = this.originWaiters.get(inboundId) ?? [];
      list.push(() => (clearTimeout(t), resolve()));
      this.originWaiters.set(inboundId, list);
    });
    return this.origins.get(inboundId) ?? (await fromDb());
  }

  /** Runs first on the routing chain, so no live notification is routed before the cursor is known. */
  private catchUp(st: AdapterState): Promise<void> {
    return this.enqueueRouting(st, async () => {
      const cur = await this.opts.store.cursor(st.adapter.name);
      st.listedUpTo = cur?.messageId ?? 0n;
      st.seenUpTo = Math.max(st.seenUpTo, cur?.seenAt.getTime() ?? 0);
      // Edits made while we were down: re-sync recent delivered messages updated since we last looked.
      if (cur) {
        const from = st.listedUpTo > 200n ? st.listedUpTo - 200n : 0n;
        const recent = await this.opts.operator.listMessages({ after: from.toString(), limit: 200 });
        for (const m of recent) {
          // A small margin: an edit heard just before a crash may not have reached the platform.
          if (m.direction === 'out' && m.updatedAt !== m.createdAt && Date.parse(m.updatedAt) > cur.seenAt.getTime() - 2_000) {
            await this.routeUpdated(st, m);
          }
        }
      }
      // Messages created while we were down.
      await this.pullCreated(st);
      st.live = true;
    });
  }

  /** Persists the highest id below which every message has settled on this surface. */
  private saveCursor(st: AdapterState): void {
    // Coalesced: at most one write in flight and one queued, which computes the cursor when it runs. It
    // waits a turn of the event loop first, so the sends just routed go out before the database work.
    if (this.stopped || st.saveQueued) return;
    st.saveQueued = true;
    st.cursorSaving = st.cursorSaving
      .then(async () => {
        await new Promise<void>((r) => setImmediate(r));
        st.saveQueued = false;
        let safe = st.listedUpTo;
        for (const id of st.pending.keys()) if (id - 1n < safe) safe = id - 1n;
        let seen = st.seenUpTo;
        for (const at of st.editsInFlight.values()) if (at - 1 < seen) seen = at - 1;
        if (st.saved && st.saved.id === safe && st.saved.at === seen) return;
        await this.opts.store.saveCursor(st.adapter.name, safe, new Date(seen));
        st.saved = { id: safe, at: seen };
      })
      .catch((err) => this.log.warn({ err: safeErr(err) }, 'could not save the delivery cursor'));
  }
}
