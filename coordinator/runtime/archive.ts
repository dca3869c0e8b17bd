import { gunzipSync, gzipSync } from 'node:zlib';
import type { Db } from '../db/client.ts';
import type { EngineDeps } from '../engine/deps.ts';

/** One event as the run API returns it, live or from the archive. */
export interface StoredRunEvent {
  runId: string;
  seq: number;
  type: string;
  step: string | null;
  data: unknown;
  at: Date;
}

export interface ArchiveResult {
  runs: number;
  events: number;
  rawBytes: number;
  storedBytes: number;
}

const FINISHED = ['completed', 'failed', 'cancelled'];

/**
 * The archive policy (DESIGN guarantee 6, "no run grows without bound"): a run finished for longer than
 * `olderThanMs` has its event log compacted into one gzip'd run_archive row, and its run_event rows are
 * deleted in the same transaction. The run row (the snapshot) stays, so /runs, the digest and the status
 * page are unchanged, and readRunEvents gives the same events back. Batches take their runs with SKIP
 * LOCKED, so two coordinators share the work and a crash leaves each run either archived or untouched.
 */
export async function archiveFinishedRuns(deps: Pick<EngineDeps, 'db' | 'clock'>, olderThanMs: number, batch = 200): Promise<ArchiveResult> {
  const total: ArchiveResult = { runs: 0, events: 0, rawBytes: 0, storedBytes: 0 };
  const cutoff = new Date(deps.clock.now().getTime() - olderThanMs);
  for (;;) {
    const done = await deps.db.$transaction(
      async (tx) => {
        const runs = await tx.$queryRaw<Array<{ id: string }>>`
          SELECT r.id FROM run r
          WHERE r.status = ANY(${FINISHED}) AND r.finished_at < ${cutoff}
            AND EXISTS (SELECT 1 FROM run_event e WHERE e.run_id = r.id)
          ORDER BY r.finished_at LIMIT ${batch} FOR UPDATE OF r SKIP LOCKED`;
        if (runs.length === 0) return null;
        const ids = runs.map((r) => r.id);
        const events = await tx.runEvent.findMany({ where: { runId: { in: ids } }, orderBy: [{ runId: 'asc' }, { seq: 'asc' }] });
        // A run replayed after it was archived has an archive and newer live events: they are merged.
        const earlier = new Map((await tx.runArchive.findMany({ where: { runId: { in: ids } } })).map((a) => [a.runId, unpackArchive(a.runId, a.events)]));
        const byRun = new Map<string, StoredRunEvent[]>(ids.map((id) => [id, earlier.get(id) ?? []]));
        for (const e of events) byRun.get(e.runId)!.push(e);
        const part: ArchiveResult = { runs: ids.length, events: events.length, rawBytes: 0, storedBytes: 0 };
        for (const [runId, list] of byRun) {
          const { events: packed, rawBytes } = packArchive(list);
          part.rawBytes += rawBytes;
          part.storedBytes += packed.length;
          const row = { events: packed, eventCount: list.length, rawBytes, archivedAt: deps.clock.now() };
          await tx.runArchive.upsert({ where: { runId }, create: { runId, ...row }, update: row });
        }
        await tx.runEvent.deleteMany({ where: { runId: { in: ids } } });
        return part;
      },
      { timeout: 60_000 },
    );
    if (!done) return total;
    total.runs += done.runs;
    total.events += done.events;
    total.rawBytes += done.rawBytes;
    total.storedBytes += done.storedBytes;
  }
}

/** A run's events in order: its archived part (if any), then the live log. */
export async function readRunEvents(db: Db, runId: string): Promise<StoredRunEvent[]> {
  const [archived, live] = await Promise.all([db.runArchive.findUnique({ where: { runId } }), db.runEvent.findMany({ where: { runId }, orderBy: { seq: 'asc' } })]);
  return archived ? [...unpackArchive(runId, archived.events), ...live] : live;
}

/** A run's events as one gzip'd JSON document (the archive row's format). */
export function packArchive(list: StoredRunEvent[]): { events: Uint8Array<ArrayBuffer>; rawBytes: number } {
  const json = JSON.stringify(list.map((e) => ({ seq: e.seq, type: e.type, step: e.step, data: e.data, at: e.at.toISOString() })));
  return { events: new Uint8Array(gzipSync(json)), rawBytes: Buffer.byteLength(json) };
}

export function unpackArchive(runId: string, packed: Uint8Array): StoredRunEvent[] {
  const list = JSON.parse(gunzipSync(packed).toString('utf8')) as Array<Omit<StoredRunEvent, 'runId' | 'at'> & { at: string }>;
  return list.map((e) => ({ runId, seq: e.seq, type: e.type, step: e.step, data: e.data, at: new Date(e.at) }));
}
