import type { OperatorApi } from '../../coordinator/operator/api.ts';
import {
  type ConversationEvent,
  type ConversationMessage,
  type InboundMessage,
  InboundMessageSchema,
  message,
  type OperatorAction,
  OperatorActionSchema,
  type OutboundMessage,
  type OutboundMessageInput,
} from '../../coordinator/operator/message.ts';

/**
 * An in-memory OperatorApi for unit tests of rendering, routing and rate limiting only. It follows the
 * contract (first decision wins, dedupe keys, async change events like LISTEN/NOTIFY) but is not the
 * coordinator: integration tests use the real one.
 */
export class InMemoryOperator implements OperatorApi {
  readonly messages: ConversationMessage[] = [];
  readonly inbound: Array<ReturnType<typeof InboundMessageSchema.parse>> = [];
  readonly actions: OperatorAction[] = [];
  private readonly deliveries = new Map<string, Array<{ surface: string; chatId: string; externalId: string | null; status: string }>>();
  private readonly receipts = new Set<string>();
  private readonly approvals = new Map<string, { messageId: string; status: 'pending' | 'decided'; decision?: string; by?: string; at?: string }>();
  private readonly listeners = new Set<(e: ConversationEvent) => void>();
  private nextId = 1;

  async handleMessage(raw: InboundMessage) {
    const msg = InboundMessageSchema.parse(raw);
    if (msg.dedupeKey && !(await this.claimInbound(msg.surface, msg.dedupeKey))) return { duplicate: true, inbound: null, reply: null };
    this.inbound.push(msg);
    const inbound = this.create('in', msg.surface, message({ text: msg.text, files: msg.files }), null, null);
    let text: string;
    if (msg.text.startsWith('/help')) text = 'Commands: /status /runs /inbox';
    else if (msg.files.length) text = `Received ${msg.files.map((f) => f.name).join(', ')}`;
    else text = `You said: ${msg.text}`;
    const reply = this.create('out', 'coordinator', message({ text }), null, inbound.id);
    return { duplicate: false, inbound, reply };
  }

  async handleAction(raw: OperatorAction) {
    const action = OperatorActionSchema.parse(raw);
    if (action.dedupeKey && !(await this.claimInbound(action.surface, `action:${action.dedupeKey}`))) {
      return { duplicate: true, ok: false, reply: message({ text: 'duplicate' }) };
    }
    this.actions.push(action);
    const p = action.payload;
    if (p.type !== 'decide') return { duplicate: false, ok: true, reply: message({ text: 'ok' }) };
    const a = this.approvals.get(p.approvalId);
    if (!a) return { duplicate: false, ok: false, reply: message({ text: 'Unknown approval' }) };
    if (a.status !== 'pending') return { duplicate: false, ok: false, reply: message({ text: `Already decided by ${a.by} at ${a.at}` }) };
    Object.assign(a, { status: 'decided', decision: p.option, by: `${action.surface}:${action.actor}`, at: new Date().toISOString() });
    const m = this.messages.find((x) => x.id === a.messageId)!;
    await this.update(m.id, { ...m.body, resolution: `${p.option} by ${a.by} at ${a.at}` });
    return { duplicate: false, ok: true, reply: message({ text: `Done: ${p.option}` }) };
  }

  /** Test helper: an approval waiting for the operator, as the coordinator would post it. */
  async escalate(question: string, id = `apr_${this.nextId}`): Promise<{ approvalId: string; message: ConversationMessage }> {
    const m = await this.post(
      {
        text: question,
        kind: 'approval',
        buttons: [[
          { label: 'Approve', style: 'primary', action: { type: 'decide', approvalId: id, option: 'approve' } },
          { label: 'Reject', style: 'danger', action: { type: 'decide', approvalId: id, option: 'reject' } },
        ]],
      },
      { approvalId: id },
    );
    this.approvals.set(id, { messageId: m.id, status: 'pending' });
    return { approvalId: id, message: m };
  }

  async post(body: OutboundMessageInput, opts: { approvalId?: string; replyTo?: string } = {}) {
    return this.create('out', 'coordinator', message(body), opts.approvalId ?? null, opts.replyTo ?? null);
  }

  async update(id: string, body: OutboundMessageInput) {
    const m = this.messages.find((x) => x.id === id);
    if (!m) throw new Error(`no message ${id}`);
    m.body = message(body);
    m.updatedAt = new Date().toISOString();
    this.emit({ kind: 'updated', message: structuredClone(m) });
    return structuredClone(m);
  }

  async listMessages(opts: { after?: string; limit?: number } = {}) {
    const after = BigInt(opts.after ?? '0');
    return this.messages.filter((m) => BigInt(m.id) > after).slice(0, opts.limit ?? 100).map((m) => structuredClone(m));
  }

  async getMessage(id: string) {
    const m = this.messages.find((x) => x.id === id);
    return m ? structuredClone(m) : null;
  }

  subscribe(listener: (e: ConversationEvent) => void) {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  async recordDelivery(d: { messageId: string; surface: string; chatId: string; externalId: string | null; status: 'sent' | 'failed' }) {
    const list = this.deliveries.get(d.messageId) ?? [];
    const i = list.findIndex((x) => x.surface === d.surface && x.chatId === d.chatId);
    const row = { surface: d.surface, chatId: d.chatId, externalId: d.externalId, status: d.status };
    if (i >= 0) list[i] = row;
    else list.push(row);
    this.deliveries.set(d.messageId, list);
  }

  async deliveriesOf(messageId: string) {
    return (this.deliveries.get(messageId) ?? []).map((d) => ({ ...d }));
  }

  async claimInbound(surface: string, key: string) {
    const k = `${surface}\u0000${key}`;
    if (this.receipts.has(k)) return false;
    this.receipts.add(k);
    return true;
  }

  private create(direction: 'in' | 'out', surface: string, body: OutboundMessage, approvalId: string | null, replyTo: string | null): ConversationMessage {
    const now = new Date().toISOString();
    const m: ConversationMessage = { id: String(this.nextId++), direction, surface, body, approvalId, replyTo, createdAt: now, updatedAt: now };
    this.messages.push(m);
    this.emit({ kind: 'created', message: structuredClone(m) });
    return structuredClone(m);
  }

  private emit(e: ConversationEvent): void {
    // Like LISTEN/NOTIFY: listeners hear about a change after the call that made it has moved on.
    setImmediate(() => {
      for (const l of this.listeners) l(e);
    });
  }
}
