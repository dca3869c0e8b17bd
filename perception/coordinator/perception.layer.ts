import type { ConversationHandlers, Coordinator, OutboundMessageInput } from '../../coordinator/index.ts';
import { open } from 'node:fs/promises';
import { isPerceptionError } from '../errors.ts';
import { sniffType } from '../intake/sniff.ts';
import type { PerceptionResult } from '../result.schema.ts';
import { findAmounts, inferDecimalStyle } from '../semantic/amount.ts';
import { correctionChoices } from './correction.ts';

/** The slice of a perception instance the layer needs (index.ts's createPerception makes one). */
export interface PerceptionInstance {
  perceive(input: { path: string; filename?: string; mimeType?: string }): Promise<PerceptionResult>;
  close(): Promise<void>;
}
import { documentIntake, type ReadOutcome } from './document-intake.process.ts';

const pct = (n: number): string => `${Math.round(n * 100)}%`;

/**
 * The reasons the operator is shown must be true of the value shown: "took the largest amount" is
 * dropped for a total that is not the largest printed amount (a later stage changed the value).
 */
export function truthfulReasons(r: PerceptionResult, field: string, reasons: string[]): string[] {
  const total = r.invoice?.total.value;
  if (field !== 'total' || typeof total !== 'number') return reasons;
  const largest = Math.max(0, ...findAmounts(r.text, inferDecimalStyle(r.text)).filter((a) => a.hasDecimals).map((a) => a.value));
  return reasons.map((why) => (/largest amount/.test(why) && Math.abs(largest - total) > 0.005 ? 'no total label found: the total is a guess' : why));
}

/** What a careful reader would warn about: failed sum checks and line items read only in part. */
export function documentWarnings(r: PerceptionResult): string[] {
  const inv = r.invoice;
  if (!inv) return [];
  const out = inv.checks.filter((c) => c.passed === false && c.name !== 'dates_parse').map((c) => `Check failed: ${c.detail}`);
  inv.lineItems.forEach((l, i) => {
    if (l.amount === null || l.confidence < 0.5) out.push(`Line item ${i + 1} (“${l.description.slice(0, 40)}”) may be misread${l.amount === null ? ': no amount' : ''}`);
  });
  return out;
}

/** The chat-sized summary of a perception result. */
export function chatSummary(r: PerceptionResult): string {
  if (!r.isDocument) return `This does not look like a document (${r.notDocumentReason ?? 'no readable text'}).`;
  const lines = [`${r.docType.value} (${pct(r.docType.confidence)} sure), ${r.source.pagesProcessed} page(s)`];
  const inv = r.invoice;
  if (inv) {
    const show = (name: string, f: { value: unknown }) => (f.value === null || f.value === undefined ? null : `${name}: ${String(f.value)}`);
    lines.push(
      ...[show('Vendor', inv.vendor), show('Number', inv.number), show('Date', inv.issueDate), show('Due', inv.dueDate), show('Total', inv.total), show('Tax', inv.tax), show('Currency', inv.currency)].filter(
        (x): x is string => x !== null,
      ),
    );
    if (inv.lineItems.length) lines.push(`${inv.lineItems.length} line item(s)`);
  }
  if (r.screenshot) lines.push(r.screenshot.gist);
  for (const w of documentWarnings(r)) lines.push(`⚠ ${w}`);
  if (r.lowConfidence.length) lines.push(`Uncertain: ${r.lowConfidence.map((l) => l.field).join(', ')}`);
  return lines.join('\n');
}

function fieldsOf(r: PerceptionResult): Record<string, unknown> {
  if (!r.invoice) return r.screenshot ? { gist: r.screenshot.gist } : {};
  const inv = r.invoice;
  return {
    vendor: inv.vendor.value,
    number: inv.number.value,
    issueDate: inv.issueDate.value,
    dueDate: inv.dueDate.value,
    currency: inv.currency.value,
    subtotal: inv.subtotal.value,
    tax: inv.tax.value,
    total: inv.total.value,
    lineItems: inv.lineItems.map((l) => ({ description: l.description, quantity: l.quantity, unitPrice: l.unitPrice, amount: l.amount })),
  };
}

/**
 * Why a file can never be read (empty, or not a PDF or image by its first bytes), or null when it may
 * be. The bytes decide, not the name or the claimed type; a file that cannot be opened is left to the
 * run, which reports it.
 */
async function unreadable(path: string): Promise<string | null> {
  let head: Buffer;
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(4096);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch {
    return null;
  }
  try {
    sniffType(head);
    return null;
  } catch (err) {
    if (isPerceptionError(err)) return err.message;
    throw err;
  }
}

/**
 * Wires perception into the coordinator: the document-intake process, the `perception` service its
 * step calls (one warm instance per process), and the handler that starts a run for each file the
 * operator sends on any surface.
 */
export function createPerceptionLayer(create: () => Promise<PerceptionInstance>) {
  let perception: Promise<PerceptionInstance> | null = null;
  let coordinator: Coordinator | null = null;
  const instance = () => (perception ??= create());

  const read = async (file: { path: string; name: string; mimeType: string }): Promise<ReadOutcome> => {
    try {
      const r = await (await instance()).perceive({ path: file.path, filename: file.name, mimeType: file.mimeType });
      return {
        ok: true,
        summary: chatSummary(r),
        docType: r.docType.value,
        isDocument: r.isDocument,
        lowConfidence: r.lowConfidence.map((l) => ({ field: l.field, reasons: truthfulReasons(r, l.field, l.reasons) })),
        fields: fieldsOf(r),
        choices: correctionChoices(r),
      };
    } catch (err) {
      // Bad input is an answer, not a fault: the operator gets the message; nothing is retried.
      if (isPerceptionError(err)) return { ok: false, code: err.code, message: err.message };
      throw err;
    }
  };

  const handlers: ConversationHandlers = {
    async files(msg): Promise<OutboundMessageInput> {
      if (!coordinator) return { text: 'Documents cannot be read yet: the COO is still starting.' };
      const started: string[] = [];
      const refused: string[] = [];
      for (const f of msg.files) {
        if (!f.path) continue;
        const why = await unreadable(f.path);
        if (why) {
          refused.push(`${f.name}: ${why}`);
          continue;
        }
        const r = await coordinator.runs.start({ process: 'document-intake', input: { file: f }, startedBy: msg.actor, parentKey: `doc-${msg.inboundId}-${f.name}` });
        started.push(`${f.name} (run ${r.runId})`);
      }
      // A file that can never be read is refused here, in one line, instead of a run that fails (and says so twice).
      if (refused.length && started.length === 0) return { kind: 'error', text: `Not read — ${refused.join('; ')}` };
      if (started.length === 0) return { kind: 'error', text: 'That message had no file I could read.' };
      return { kind: 'progress', text: `Reading ${started.join(', ')}… I'll post what I find.${refused.length ? `\nNot read — ${refused.join('; ')}` : ''}` };
    },
  };

  // Starting a run is keyed (parentKey), so a retried step finds the run it started instead of a second one.
  const reconcile = async (invoice: object, key: string): Promise<{ runId: string } | null> => {
    if (!coordinator || !coordinator.registry.names().includes('invoice-reconciliation')) return null;
    const r = await coordinator.runs.start({ process: 'invoice-reconciliation', input: invoice, parentKey: key, startedBy: 'document-intake' });
    return { runId: r.runId };
  };

  return {
    processes: [documentIntake],
    services: { perception: { read }, intake: { reconcile } },
    handlers,
    attach(c: Coordinator) {
      coordinator = c;
    },
    async close() {
      if (perception) await (await perception.catch(() => null))?.close();
    },
  };
}
