import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChromaClient } from 'chromadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAiLayer, type AiLayer } from '../../agents/index.ts';
import { createCallRecorder } from '../../agents/model/call-recorder.ts';
import { type Coordinator, defineProcess } from '../../coordinator/index.ts';
import { createChromaVectorStore, createHashedEmbedder, extractiveSummarizer } from '../../memory/index.ts';
import { episodeText } from '../../memory/memory.store.ts';
import { startChroma, type TestChroma } from '../support/chroma.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/harness.ts';
import { consistentLog } from '../support/run-log.ts';
import { findFileTraces, findTracesAnywhere } from '../support/trace.ts';

// The subject: a company, its contact's e-mail address and phone number, written in the ways people
// write them. "Forget Acme" must leave none of them anywhere.
const NAME = 'Acme GmbH';
const EMAIL = 'billing@acme-gmbh.example';
const PHONE = '+49 30 5550 1987';
const digits = (p: string) => p.replace(/\D/g, '').slice(2).split('').join('[^0-9a-z]{0,3}'); // without the country code
const TRACES = ['acme', 'billing@', digits(PHONE)];

/** A quote to a customer: a large draft (a blob), a ledger write, an approval, a result. */
const quote = defineProcess({
  name: 'customer-quote',
  version: 1,
  description: 'drafts a quote, records the send in the ledger, asks before finishing',
  input: z.object({ customer: z.string(), email: z.string(), phone: z.string(), notes: z.string() }),
  start: 'draft',
  steps: {
    draft: { next: ['send'], run: (ctx) => ctx.goto('send', { draft: `Dear ${ctx.input.customer},\n${'Our offer, line by line. '.repeat(400)}\nCall ${ctx.input.phone}.` }) },
    send: {
      next: ['finish'],
      run: async (ctx) => {
        const sent = await ctx.effect(
          { key: 'mail', connector: 'email', intent: `send the quote to ${ctx.input.customer} <${ctx.input.email}>`, request: { to: ctx.input.email } },
          { perform: async () => ({ externalId: `msg-${ctx.runId}`, result: { to: ctx.input.email, phone: ctx.input.phone } }) },
        );
        return ctx.waitForApproval({ question: `The quote went to ${ctx.input.customer} (${sent.to}). Call them at ${ctx.input.phone}?` }, { then: 'finish', output: sent });
      },
    },
    finish: { run: (ctx) => ctx.complete({ calledBack: ctx.input.customer, by: ctx.decision?.reason ?? null }) },
  },
});

/** A lookup that fails naming the customer: the error lands in run.error, events, an incident and a notice. */
const check = defineProcess({
  name: 'customer-check',
  version: 1,
  description: 'fails, naming the customer',
  input: z.object({ customer: z.string(), email: z.string() }),
  start: 'lookup',
  steps: {
    lookup: {
      retry: { attempts: 2, backoffMs: 10 },
      onFinalFailure: 'fail',
      run: (ctx) => {
        throw new Error(`No account for ${ctx.input.customer} <${ctx.input.email}>`);
      },
    },
  },
});

let env: TestEnv;
let chroma: TestChroma;
let dataDir: string;
let c: Coordinator;
let ai: AiLayer;
const collection = `fe${randomBytes(3).toString('hex')}`;
const embedder = createHashedEmbedder({ dims: 128 });

beforeAll(async () => {
  [env, chroma, dataDir] = await Promise.all([createTestEnv(), startChroma(), mkdtemp(join(tmpdir(), 'coo-forget-'))]);
  ai = createAiLayer({ env: {}, vectorStore: createChromaVectorStore({ url: chroma.url, collection, embedderId: embedder.id }), vectorUpkeep: false });
  c = await env.coordinator({ ...ai.coordinatorOptions(), processes: [...ai.coordinatorOptions().processes, quote, check], config: { COO_DATA_DIR: dataDir }, roles: { workers: true, background: true } });
  await ai.attach(c);
});
afterAll(async () => {
  await env.cleanup();
  await chroma.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const say = async (text: string, files: Array<{ name: string; mimeType: string; size: number; path: string }> = []) =>
  (await c.operator.handleMessage({ surface: 'console', actor: 'op', text, files })).reply!.body;
const pendingFor = (runId: string) => waitFor(`an approval for ${runId}`, async () => (await c.approvals.pending()).find((a) => a.runId === runId) ?? null);
const statusOf = (runId: string, status: string) => waitFor(`run ${runId} to be ${status}`, async () => ((await c.runs.get(runId))?.status === status ? true : null));

async function chromaRecords(): Promise<Array<{ id: string; metadata: unknown; embedding: number[] }>> {
  const u = new URL(chroma.url);
  const client = new ChromaClient({ host: u.hostname, port: Number(u.port) });
  const out: Array<{ id: string; metadata: unknown; embedding: number[] }> = [];
  for (const col of await client.listCollections()) {
    const r = await col.get({ include: ['embeddings', 'metadatas', 'documents'] as never });
    r.ids.forEach((id, i) => {
      expect(r.documents?.[i] ?? null).toBeNull(); // Chroma holds no text of ours
      out.push({ id, metadata: r.metadatas?.[i], embedding: (r.embeddings?.[i] ?? []) as number[] });
    });
  }
  return out;
}

describe('/forget erases a name, its e-mail address and its phone number everywhere', () => {
  it('leaves no trace in any table, archive, blob, file or vector, keeps fold = snapshot, and keeps everyone else', async () => {
    const m = ai.memory;
    // Memory: a customer, a same-named vendor (legal form) and a person, with facts, episodes and a file.
    const customer = await m.upsertEntity({ kind: 'customer', name: NAME });
    const vendor = await m.upsertEntity({ kind: 'vendor', name: 'ACME' });
    const person = await m.upsertEntity({ kind: 'person', name: 'Acme', attributes: { phone: PHONE } });
    const bruno = await m.upsertEntity({ kind: 'customer', name: 'Bruno Keller' });
    await m.addFact({ entityId: person.id, key: 'email', value: EMAIL, source: 'email:1' });
    await m.addFact({ entityId: customer.id, key: 'phone', value: PHONE, source: 'email:1' });
    await m.addFact({ entityId: bruno.id, key: 'city', value: 'Basel', source: 'email:3' });
    await m.addFact({ entityId: bruno.id, key: 'budget', value: '5000 EUR', source: `email:${EMAIL}` }); // learnt from the contact's mail
    await mkdir(join(dataDir, 'files', 'console', '2026-12-01'), { recursive: true });
    const invoicePdf = join('files', 'console', '2026-12-01', 'a1b2c3-invoice-77.pdf');
    await writeFile(join(dataDir, invoicePdf), `%PDF-1.4\n1 0 obj << >> stream\nBT (Invoice A-77 from ${NAME}) Tj (${EMAIL}) Tj ET\nendstream endobj\n%%EOF\n`);
    await m.addEpisode({ entityId: vendor.id, kind: 'invoice', title: 'Invoice A-77', content: `Invoice A-77 from ${NAME}: 480.00 EUR. Questions: ${EMAIL}.`, source: 'perception:a1b2c3-invoice-77.pdf', files: [invoicePdf] });
    await m.addEpisode({ entityId: customer.id, kind: 'message', content: `${NAME} asks for a quote; call ${PHONE}.`, source: 'email:1' });
    const mention = await m.addEpisode({ entityId: bruno.id, kind: 'message', content: `Bruno was referred by ${NAME} (ask +49 (30) 5550-1987).`, source: 'email:2', files: ['files/console/2026-12-02/d4e5f6-Acme_GmbH_order.pdf'] });
    const keep = await m.addEpisode({ entityId: bruno.id, kind: 'message', content: 'Bruno wants a new website.', source: 'email:3' });
    await m.summaries.update(bruno.id, extractiveSummarizer());
    await m.retrieve({ query: 'Acme quote', log: true });
    await m.flushLogs();
    // A model call that names the company without being linked to any entity, and one about Bruno.
    const rec = createCallRecorder(c.db);
    await rec.record({ id: `c-${randomBytes(3).toString('hex')}`, tier: 'fast', provider: 'p', model: 'm', request: { messages: [{ role: 'user', content: `Draft a reply to ${EMAIL}` }] }, output: 'Dear customer', tokensIn: 1, tokensOut: 1, costUsd: 0, latencyMs: 1, outcome: 'ok', attempt: 1, entityIds: [] });
    await rec.record({ id: `c-${randomBytes(3).toString('hex')}`, tier: 'fast', provider: 'p', model: 'm', request: { messages: [{ role: 'user', content: 'Summarise the order' }] }, output: null, tokensIn: 1, tokensOut: 0, costUsd: 0, latencyMs: 1, outcome: 'error', errorCode: 'bad_request', errorMessage: `provider refused the prompt mentioning ${PHONE}`, attempt: 1, entityIds: [] });
    await rec.record({ id: `c-${randomBytes(3).toString('hex')}`, tier: 'fast', provider: 'p', model: 'm', request: { messages: [{ role: 'user', content: 'Summarise Bruno' }] }, output: 'Bruno wants a website', tokensIn: 1, tokensOut: 1, costUsd: 0, latencyMs: 1, outcome: 'ok', attempt: 1, entityIds: [bruno.id] });

    // Runs: one finished and archived (gzip'd), one waiting at its approval (live log, a blob), one about Bruno.
    const input = { customer: NAME, email: EMAIL, phone: PHONE, notes: `Met ${NAME} at the fair` };
    const done = (await c.runs.start({ process: 'customer-quote', input })).runId;
    const ap = await pendingFor(done);
    expect(ap.question).toContain(NAME);
    await c.approvals.decide({ approvalId: ap.id, option: 'approve', actor: 'op', via: 'console', reason: `spoke to ${NAME}` });
    await statusOf(done, 'completed');
    const brunoRun = (await c.runs.start({ process: 'customer-quote', input: { customer: 'Bruno Keller', email: 'bruno@keller.example', phone: '+41 61 000 00 00', notes: '' } })).runId;
    await c.approvals.decide({ approvalId: (await pendingFor(brunoRun)).id, option: 'approve', actor: 'op', via: 'console' });
    await statusOf(brunoRun, 'completed');
    expect((await c.runs.archive(0)).runs).toBe(2);
    const waiting = (await c.runs.start({ process: 'customer-quote', input })).runId;
    await pendingFor(waiting);
    // A run that failed naming the customer, and one cancelled with a reason that gives the number.
    const failed = (await c.runs.start({ process: 'customer-check', input: { customer: NAME, email: EMAIL } })).runId;
    await statusOf(failed, 'failed');
    expect((await c.runs.get(failed))!.error).toContain(NAME);
    const cancelled = (await c.runs.start({ process: 'customer-quote', input })).runId;
    await pendingFor(cancelled);
    await c.runs.cancel(cancelled, 'op', `Acme asked us to call ${PHONE} instead`);
    await statusOf(cancelled, 'cancelled');
    expect(await env.tdb.sql(`SELECT 1 FROM blob`)).not.toHaveLength(0);

    // Chat: an upload that names the company, and the operator's own questions about it.
    const upload = join(dataDir, 'files', 'console', '2026-12-02', 'd4e5f6-Acme_GmbH_order.pdf');
    await mkdir(join(dataDir, 'files', 'console', '2026-12-02'), { recursive: true });
    await writeFile(upload, `%PDF-1.4\nBT (Order from ${NAME}, ${PHONE}) Tj ET\n%%EOF\n`);
    const other = join(dataDir, 'files', 'console', '2026-12-02', '0a0b0c-bruno-brief.pdf');
    await writeFile(other, '%PDF-1.4\nBT (Brief from Bruno Keller) Tj ET\n%%EOF\n');
    await say(`Here is the order from ${NAME}; their number is ${PHONE}`, [{ name: 'Acme_GmbH_order.pdf', mimeType: 'application/pdf', size: 60, path: upload }]);
    await say(`/memory ${NAME}`);
    await say('Bruno sent his brief', [{ name: 'bruno-brief.pdf', mimeType: 'application/pdf', size: 50, path: other }]);

    // Before: the traces are everywhere this test put them.
    const before = await findTracesAnywhere(env.tdb, TRACES);
    const tables = new Set(before.map((t) => t.table));
    for (const t of ['run', 'run_event', 'run_archive', 'blob', 'approval', 'write_ledger', 'operator_message', 'incident', 'memory_entity', 'memory_fact', 'memory_episode', 'model_call', 'memory_retrieval']) expect(tables, t).toContain(t);
    expect((await findFileTraces(dataDir, TRACES)).sort()).toEqual([invoicePdf, join('files', 'console', '2026-12-02', 'd4e5f6-Acme_GmbH_order.pdf')].sort());

    // The preview names every place, with counts, the vendor and the person included, and erases nothing.
    const preview = await say('/forget Acme');
    expect(preview.text).toContain('Acme GmbH (customer)');
    expect(preview.text).toContain('ACME (vendor)');
    expect(preview.text).toContain('Acme (person)');
    for (const place of ['run inputs and snapshots', 'run events', 'archived run logs', 'blobs', 'approvals', 'write ledger', 'chat messages', 'model calls', 'files']) expect(preview.text).toContain(place);
    expect(preview.text).toMatch(/model calls: 2\b/);
    expect(await findTracesAnywhere(env.tdb, TRACES)).not.toEqual([]);
    expect(existsSync(upload)).toBe(true);

    const receipt = await say(preview.buttons[0][0].action.type === 'command' ? preview.buttons[0][0].action.text : '');
    expect(receipt.text).toMatch(/run events: \d+ → 0/);
    expect(receipt.text).toMatch(/chat messages: \d+ → 0/);

    // After: nothing, in any column of any table (archives and blobs decompressed), nor in the data folder.
    expect(await findTracesAnywhere(env.tdb, TRACES)).toEqual([]);
    expect(await findFileTraces(dataDir, TRACES)).toEqual([]);
    expect(existsSync(other)).toBe(true);
    // Nor in Chroma: every vector left belongs to a record that has no trace, embedded from its text as it is now.
    const records = await chromaRecords();
    const forgotten = [customer.id, vendor.id, person.id];
    expect(records.filter((r) => forgotten.includes((r.metadata as { entityId: string }).entityId))).toEqual([]);
    for (const r of records) {
      const [ep] = await env.tdb.sql<{ title: string; content: string }>(`SELECT title, content FROM memory_episode WHERE id = $1`, [r.id]);
      expect(ep, `vector ${r.id} has a record`).toBeTruthy();
      const [vec] = await ai.memory.embedder.embed([episodeText(ep)]);
      expect(r.embedding.map((x) => Math.round(x * 1e4))).toEqual(Array.from(vec, (x) => Math.round(x * 1e4)));
    }
    expect(records.map((r) => r.id)).toEqual(expect.arrayContaining([mention.id, keep.id]));

    // The redacted runs still fold to their snapshots, read back (archive included), and replay.
    for (const id of [done, waiting, brunoRun, failed, cancelled]) await consistentLog(c, id);
    expect((await c.runs.get(failed))!.error).toBe('No account for [forgotten] <[forgotten]>');
    const shown = await c.runs.events(done);
    expect(shown.length).toBeGreaterThan(5);
    expect(JSON.stringify(shown)).toContain('[forgotten]');
    await c.approvals.decide({ approvalId: (await pendingFor(waiting)).id, option: 'approve', actor: 'op', via: 'console' });
    await statusOf(waiting, 'completed');
    await consistentLog(c, waiting);
    await c.runs.replay(done, 'test', 'draft');
    await pendingFor(done);
    await consistentLog(c, done);

    // Everyone else is intact.
    expect(JSON.stringify((await c.runs.get(brunoRun))!.input)).toContain('bruno@keller.example');
    expect((await m.getEpisode(keep.id))!.content).toBe('Bruno wants a new website.');
    expect((await m.getEpisode(mention.id))!.content).toBe('Bruno was referred by [forgotten] (ask [forgotten]).');
    expect((await m.factsOf(bruno.id)).map((f) => [f.key, f.source])).toEqual([['budget', 'email:[forgotten]'], ['city', 'email:3']]);
    expect((await m.getEpisode(mention.id))!.files).toEqual(['files/console/2026-12-02/d4e5f6-[forgotten]_order.pdf']);
    expect(await env.tdb.sql(`SELECT 1 FROM model_call WHERE request::text LIKE '%Bruno%'`)).toHaveLength(1);
    // The erasure is recorded, without the subject.
    const log = await env.tdb.sql<{ counts: Record<string, { before: number; after: number }> }>(`SELECT counts FROM erasure`);
    expect(log).toHaveLength(1);
    expect(log[0].counts['run events'].after).toBe(0);
  });

  it('erases nothing anywhere when the vector store cannot be reached, so a later /forget finds everything again', async () => {
    const down = createAiLayer({ env: {}, vectorStore: createChromaVectorStore({ url: 'http://127.0.0.1:9', collection, embedderId: embedder.id, timeoutMs: 500 }), vectorUpkeep: false });
    const c2 = await env.coordinator({ ...down.coordinatorOptions(), processes: [...down.coordinatorOptions().processes, quote, check], config: { COO_DATA_DIR: dataDir } });
    await down.attach(c2);
    const zed = await ai.memory.upsertEntity({ kind: 'customer', name: 'Zed Corp' });
    await ai.memory.addEpisode({ entityId: zed.id, kind: 'message', content: 'Zed Corp wants a quote.', source: 'email:9' });
    await ai.memory.addFact({ entityId: zed.id, key: 'email', value: 'ops@zed.example', source: 'email:9' });
    const run = (await c.runs.start({ process: 'customer-check', input: { customer: 'Zed Corp', email: 'ops@zed.example' } })).runId;
    await statusOf(run, 'failed');
    const before = await findTracesAnywhere(env.tdb, ['zed corp', 'ops@zed']);
    await expect(down.memory.forget('Zed Corp')).rejects.toThrow(/vector store is unreachable; nothing was forgotten/);
    expect(await findTracesAnywhere(env.tdb, ['zed corp', 'ops@zed'])).toEqual(before);
    expect(await env.tdb.sql(`SELECT 1 FROM erasure WHERE finished_at IS NULL`)).toEqual([]);
    // With the store back, the same command erases it all.
    await say('/forget --yes Zed Corp');
    expect(await findTracesAnywhere(env.tdb, ['zed corp', 'ops@zed'])).toEqual([]);
    await consistentLog(c, run);
  });
});
