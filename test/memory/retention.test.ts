import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChromaVectorStore, createHashedEmbedder, createMemory } from '../../memory/index.ts';
import { startChroma, type TestChroma } from '../support/chroma.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let t: TestDatabase;
let chroma: TestChroma;
beforeAll(async () => {
  [t, chroma] = await Promise.all([createTestDatabase(), startChroma()]);
});
afterAll(async () => {
  await chroma.stop();
  await t.drop();
});

describe('retention', () => {
  it('deletes or summarises exactly what each policy names, and nothing else', async () => {
    const now = new Date('2026-11-26T03:00:00Z');
    const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000);
    const embedder = createHashedEmbedder({ dims: 64 });
    const store = createChromaVectorStore({ url: chroma.url, collection: `r${randomBytes(3).toString('hex')}`, embedderId: embedder.id });
    const mem = createMemory({ db: t.db, embedder, vectorStore: store, now: () => now });
    // Defaults from the migration: message 90d → summarize, invoice 7y → delete. Add one for documents.
    expect((await mem.retention.list()).map((p) => `${p.kind}:${p.keepDays}:${p.action}`)).toEqual(
      expect.arrayContaining(['message:90:summarize', 'invoice:2557:delete']),
    );
    await mem.retention.set({ kind: 'document', keepDays: 30, action: 'delete' });
    await mem.retention.set({ kind: 'note', keepDays: 365, action: 'summarize' });

    const c = await mem.upsertEntity({ kind: 'customer', name: 'Retention Ltd' });
    const ep = (kind: string, age: number, content: string) => mem.addEpisode({ entityId: c.id, kind, content, source: `test:${kind}:${age}`, occurredAt: daysAgo(age) });
    const oldMsg = await ep('message', 120, 'Old message: they asked to switch to monthly billing.');
    const newMsg = await ep('message', 10, 'New message: thanks for the fast delivery.');
    const edgeMsg = await ep('message', 89, 'Message inside the window by one day.');
    const oldInvoice = await ep('invoice', 2600, 'Invoice from 2019, 120 EUR.');
    const keptInvoice = await ep('invoice', 2000, 'Invoice from 2021, 140 EUR.');
    const oldDoc = await ep('document', 31, 'Signed NDA.');
    const newDoc = await ep('document', 29, 'Price list.');
    const outcome = await ep('outcome', 5000, 'Very old outcome, no policy for this kind.');
    const oldRetrieval = `ret-${randomBytes(3).toString('hex')}`;
    await t.db.memoryRetrieval.create({ data: { id: oldRetrieval, query: 'q', params: {}, results: [], mode: 'hybrid', latencyMs: 1, createdAt: daysAgo(40) } });
    const newRetrieval = (await mem.retrieve({ query: 'billing' })).retrievalId!;
    await mem.flushLogs();

    const report = await mem.retention.run();

    expect(report.byKind.message).toMatchObject({ summarized: 1, deleted: 0, vectors: 1 });
    expect(report.byKind.invoice).toMatchObject({ deleted: 1, vectors: 1 });
    expect(report.byKind.document).toMatchObject({ deleted: 1, vectors: 1 });
    expect(report.byKind.note).toMatchObject({ deleted: 0, summarized: 0 });
    expect(report.byKind.retrieval_log).toMatchObject({ deleted: 1 });

    const ids = (await t.sql<{ id: string }>('SELECT id FROM memory_episode ORDER BY id')).map((r) => r.id).sort();
    expect(ids).toEqual([oldMsg.id, newMsg.id, edgeMsg.id, keptInvoice.id, newDoc.id, outcome.id].sort());
    const redacted = await mem.getEpisode(oldMsg.id);
    expect(redacted!.content).toBe('');
    expect(redacted!.redactedAt).not.toBeNull();
    for (const id of [newMsg.id, edgeMsg.id, keptInvoice.id, newDoc.id, outcome.id]) expect((await mem.getEpisode(id))!.redactedAt).toBeNull();
    // Only the summary remains of the old message.
    const entity = await mem.getEntity(c.id);
    expect(entity!.summary).toContain('switch to monthly billing');
    expect(entity!.summaryCovers).toContain(oldMsg.id);
    // Vectors: exactly the three affected episodes are gone from Chroma.
    expect((await store.existing([oldMsg.id, oldInvoice.id, oldDoc.id, newMsg.id, edgeMsg.id, keptInvoice.id, newDoc.id, outcome.id])).sort()).toEqual(
      [newMsg.id, edgeMsg.id, keptInvoice.id, newDoc.id, outcome.id].sort(),
    );
    expect((await t.sql<{ id: string }>('SELECT id FROM memory_retrieval')).map((r) => r.id)).toEqual([newRetrieval]);
    // A second run changes nothing.
    const again = await mem.retention.run();
    expect(Object.values(again.byKind).every((k) => k.deleted === 0 && k.summarized === 0)).toBe(true);
    // A redacted message is not retrievable by its old words any more.
    const r = await mem.retrieve({ query: 'monthly billing switch', log: false });
    expect(r.items.map((i) => i.episodeId)).not.toContain(oldMsg.id);
  });
});
