import { expect, it } from 'vitest';
import type { VectorStore } from '../../memory/index.ts';

const unit = (xs: number[]) => {
  const n = Math.hypot(...xs) || 1;
  return xs.map((x) => x / n);
};

/** The contract every VectorStore adapter must meet. Call inside a describe with a fresh store. */
export function vectorStoreConformance(make: () => Promise<VectorStore>) {
  it('upserts, queries by cosine similarity and filters by entity and kind', async () => {
    const s = await make();
    await s.upsert([
      { id: 'a', vector: unit([1, 0, 0, 0]), metadata: { entityId: 'e1', kind: 'message', occurredAt: 1 } },
      { id: 'b', vector: unit([0.9, 0.1, 0, 0]), metadata: { entityId: 'e2', kind: 'message', occurredAt: 2 } },
      { id: 'c', vector: unit([0, 1, 0, 0]), metadata: { entityId: 'e1', kind: 'invoice', occurredAt: 3 } },
    ]);
    const all = await s.query(unit([1, 0, 0, 0]), 3);
    expect(all.map((h) => h.id)).toEqual(['a', 'b', 'c']);
    expect(all[0].similarity).toBeCloseTo(1, 4);
    expect(all[2].similarity).toBeCloseTo(0, 4);
    expect((await s.query(unit([1, 0, 0, 0]), 3, { entityId: 'e1' })).map((h) => h.id)).toEqual(['a', 'c']);
    expect((await s.query(unit([1, 0, 0, 0]), 3, { entityId: 'e1', kinds: ['invoice'] })).map((h) => h.id)).toEqual(['c']);
    expect((await s.query(unit([1, 0, 0, 0]), 3, { kinds: ['message', 'invoice'] })).length).toBe(3);
    expect(all[1].metadata).toEqual({ entityId: 'e2', kind: 'message', occurredAt: 2 });
  });

  it('replaces on upsert of the same id, counts, deletes by id and by entity', async () => {
    const s = await make();
    await s.upsert([{ id: 'x', vector: unit([0, 0, 1, 0]), metadata: { entityId: 'e9', kind: 'note', occurredAt: 1 } }]);
    await s.upsert([{ id: 'x', vector: unit([0, 0, 0, 1]), metadata: { entityId: 'e9', kind: 'note', occurredAt: 5 } }]);
    const [hit] = await s.query(unit([0, 0, 0, 1]), 1, { entityId: 'e9' });
    expect(hit).toMatchObject({ id: 'x', metadata: { occurredAt: 5 } });
    await s.upsert([{ id: 'y', vector: unit([0, 0, 1, 1]), metadata: { entityId: 'e9', kind: 'note', occurredAt: 1 } }]);
    expect(await s.count({ entityId: 'e9' })).toBe(2);
    expect(await s.existing(['x', 'y', 'nope'])).toEqual(expect.arrayContaining(['x', 'y']));
    expect(await s.delete({ ids: ['x', 'nope'] })).toBe(1);
    expect(await s.delete({ entityId: 'e9' })).toBe(1);
    expect(await s.count({ entityId: 'e9' })).toBe(0);
    expect(await s.existing(['x', 'y'])).toEqual([]);
  });

  it('reports health and can be reset to empty', async () => {
    const s = await make();
    expect(await s.healthy()).toBe(true);
    await s.upsert([{ id: 'z', vector: unit([1, 1, 0, 0]), metadata: { entityId: '', kind: 'note', occurredAt: 1 } }]);
    expect(await s.count()).toBeGreaterThan(0);
    await s.reset();
    expect(await s.count()).toBe(0);
  });
}
