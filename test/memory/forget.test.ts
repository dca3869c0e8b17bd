import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallRecorder } from '../../agents/model/call-recorder.ts';
import { createChromaVectorStore, createHashedEmbedder, createMemory, extractiveSummarizer } from '../../memory/index.ts';
import { startChroma, type TestChroma } from '../support/chroma.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { findTraces } from '../support/trace.ts';

let t: TestDatabase;
let chroma: TestChroma;
let dataDir: string;
beforeAll(async () => {
  [t, chroma, dataDir] = await Promise.all([createTestDatabase(), startChroma(), mkdtemp(join(tmpdir(), 'coo-data-'))]);
});
afterAll(async () => {
  await chroma.stop();
  await t.drop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('/forget', () => {
  it('erases an entity from Chroma and Postgres and reports what it removed, keeping everyone else', async () => {
    const embedder = createHashedEmbedder({ dims: 128 });
    const store = createChromaVectorStore({ url: chroma.url, collection: `f${randomBytes(3).toString('hex')}`, embedderId: embedder.id });
    const mem = createMemory({ db: t.db, embedder, vectorStore: store, dataDir });
    const anna = await mem.upsertEntity({ kind: 'customer', name: 'Anna Zielinski', aliases: ['Zielinski Design'] });
    const other = await mem.upsertEntity({ kind: 'customer', name: 'Bruno Keller' });
    await mkdir(join(dataDir, 'files'), { recursive: true });
    await writeFile(join(dataDir, 'files', 'anna-contract.pdf'), 'pdf bytes');
    const outside = join(tmpdir(), `coo-outside-${randomBytes(3).toString('hex')}.txt`);
    await writeFile(outside, 'must survive');
    const e1 = await mem.addEpisode({ entityId: anna.id, kind: 'message', title: 'Logo project', content: 'Anna Zielinski asks about the logo invoice.', source: 'email:1', files: ['files/anna-contract.pdf', outside] });
    const e2 = await mem.addEpisode({ entityId: anna.id, kind: 'invoice', content: 'Invoice 77 to Zielinski Design, 900 EUR', source: 'perception:77.pdf' });
    const loose = await mem.addEpisode({ kind: 'note', content: 'Call anna zielinski next week about the logo.', source: 'operator' });
    const mention = await mem.addEpisode({ entityId: other.id, kind: 'message', content: 'Bruno was referred by Anna Zielinski.', source: 'email:2' });
    const keep = await mem.addEpisode({ entityId: other.id, kind: 'message', content: 'Bruno wants a new website.', source: 'email:3' });
    await mem.addFact({ entityId: anna.id, key: 'email', value: 'anna@zielinski.example', source: 'email:1' });
    await mem.addFact({ entityId: other.id, key: 'referrer', value: 'Anna Zielinski', source: 'email:2' });
    await mem.addFact({ entityId: other.id, key: 'city', value: 'Basel', source: 'email:3' });
    await mem.summaries.update(anna.id, extractiveSummarizer());
    await mem.summaries.update(other.id, extractiveSummarizer());
    await mem.retrieve({ query: 'Anna Zielinski logo', entityId: anna.id });
    await mem.retrieve({ query: 'logo invoice' }); // returns her episodes without naming her
    await createCallRecorder(t.db).record({ id: `c-${randomBytes(3).toString('hex')}`, tier: 'fast', provider: 'p', model: 'm', request: { messages: [{ role: 'user', content: 'Draft a reply to Anna Zielinski' }] }, output: 'Dear Anna Zielinski', tokensIn: 1, tokensOut: 1, costUsd: 0, latencyMs: 1, outcome: 'ok', attempt: 1, entityIds: [anna.id] });
    await createCallRecorder(t.db).record({ id: `c-${randomBytes(3).toString('hex')}`, tier: 'fast', provider: 'p', model: 'm', request: { messages: [{ role: 'user', content: 'Summarise Bruno' }] }, output: 'Bruno wants a website', tokensIn: 1, tokensOut: 1, costUsd: 0, latencyMs: 1, outcome: 'ok', attempt: 1, entityIds: [other.id] });
    expect((await findTraces(t, 'zielinski')).length).toBeGreaterThan(3);

    const report = await mem.forget('anna zielinski');

    expect(report.entities.map((e) => e.id)).toEqual([anna.id]);
    expect(report.removed).toMatchObject({ episodes: 3, facts: 1, files: 1, modelCalls: 1 });
    expect(report.removed.vectors).toBeGreaterThanOrEqual(3);
    expect(report.removed.retrievals).toBeGreaterThanOrEqual(2);
    expect(report.removed.mentionsRedacted).toBeGreaterThanOrEqual(2);
    // No trace in Postgres: no column of any table mentions her names.
    expect(await findTraces(t, 'zielinski')).toEqual([]);
    expect(await findTraces(t, anna.id)).toEqual([]);
    // No trace in Chroma.
    expect(await store.existing([e1.id, e2.id, loose.id])).toEqual([]);
    expect(await store.count({ entityId: anna.id })).toBe(0);
    const hits = await mem.retrieve({ query: 'Anna Zielinski logo invoice', k: 10, log: false });
    expect(hits.items.map((h) => h.episodeId)).not.toContain(e1.id);
    // Files inside the data dir are gone; a path outside it is never touched.
    expect(existsSync(join(dataDir, 'files', 'anna-contract.pdf'))).toBe(false);
    expect(existsSync(outside)).toBe(true);
    await rm(outside);
    // Everyone else is intact (the mention is redacted and re-embedded, not deleted).
    expect((await mem.getEpisode(keep.id))!.content).toBe('Bruno wants a new website.');
    const m = await mem.getEpisode(mention.id);
    expect(m!.content).toBe('Bruno was referred by [forgotten].');
    expect(m!.embeddedAt).not.toBeNull();
    expect((await mem.factsOf(other.id)).map((f) => f.key)).toEqual(['city']);
    expect(await store.existing([keep.id, mention.id])).toHaveLength(2);
    expect(await t.sql(`SELECT 1 FROM model_call WHERE request::text LIKE '%Bruno%'`)).toHaveLength(1);
  });
});
