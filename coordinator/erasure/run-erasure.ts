import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Db } from '../db/client.ts';
import { AppError } from '../errors.ts';
import { foldEvents, type RunEventRecord } from '../engine/events.ts';
import { packArchive, unpackArchive, type StoredRunEvent } from '../runtime/archive.ts';
import type { BlobMove, Redactor } from './redactor.ts';

/** Where a run keeps what it was given and what it did; the names the preview and the receipt use. */
export const RUN_PLACES = { runs: 'run inputs and snapshots', events: 'run events', archives: 'archived run logs', blobs: 'blobs' } as const;

const likeAny = (hashes: string[]) => hashes.map((h) => `%${h}%`);

/**
 * How many values of the run stores hold the subject: run rows (input, snapshot, error), live events,
 * archived logs (decompressed) and blobs. `r.test` decides; SQL only narrows the rows to read.
 */
export async function countRunTraces(db: Db, r: Redactor, seen: (v: unknown) => void = () => {}): Promise<Record<string, number>> {
  const p = r.patterns;
  const runs = await db.$queryRawUnsafe<Array<{ input: unknown; state: unknown; error: string | null }>>(
    `SELECT input, state, error FROM run WHERE input::text ~* ANY($1::text[]) OR state::text ~* ANY($1::text[]) OR coalesce(error, '') ~* ANY($1::text[])`, p);
  const events = await db.$queryRawUnsafe<Array<{ data: unknown }>>(`SELECT data FROM run_event WHERE data::text ~* ANY($1::text[])`, p);
  const blobs = await db.$queryRawUnsafe<Array<{ data: unknown }>>(`SELECT data FROM blob WHERE data::text ~* ANY($1::text[])`, p);
  let archives = 0;
  await eachArchive(db, async (_runId, list) => {
    const hit = list.filter((e) => r.json(e.data).changed);
    hit.forEach((e) => seen(e.data));
    if (hit.length) archives++;
  });
  const holding = <T>(rows: T[], value: (x: T) => unknown) => rows.filter((x) => r.json(value(x)).changed && (seen(value(x)), true)).length;
  return {
    [RUN_PLACES.runs]: holding(runs, (x) => [x.input, x.state, x.error]),
    [RUN_PLACES.events]: holding(events, (x) => x.data),
    [RUN_PLACES.archives]: archives,
    [RUN_PLACES.blobs]: holding(blobs, (x) => x.data),
  };
}

async function eachArchive(db: Db, fn: (runId: string, list: StoredRunEvent[]) => Promise<void>): Promise<void> {
  let after = '';
  for (;;) {
    const rows = await db.runArchive.findMany({ where: { runId: { gt: after } }, orderBy: { runId: 'asc' }, take: 100, select: { runId: true, events: true } });
    for (const a of rows) await fn(a.runId, unpackArchive(a.runId, a.events));
    if (rows.length < 100) return;
    after = rows[rows.length - 1].runId;
  }
}

/**
 * Redacts blobs first (a redacted blob is stored under the hash of its new content, so a later run that
 * stores the original content again gets its own copy), then every run that holds the subject or points
 * at a redacted blob. Returns the blob moves (old hash → new) so other stores' references follow, and
 * the strings of every value that held the subject (to find the files they name).
 */
export async function redactRuns(db: Db, r: Redactor, erasureId: string, seen: (v: unknown) => void): Promise<Map<string, BlobMove>> {
  const moves = new Map<string, BlobMove>();
  const blobs = await db.$queryRawUnsafe<Array<{ hash: string; data: unknown }>>(`SELECT hash, data FROM blob WHERE data::text ~* ANY($1::text[])`, r.patterns);
  for (const b of blobs) {
    const { value, changed } = r.json(b.data);
    if (!changed) continue;
    seen(b.data);
    const json = JSON.stringify(value);
    const move = { hash: createHash('sha256').update(json).digest('hex'), size: json.length };
    moves.set(b.hash, move);
    await db.blob.createMany({ data: [{ hash: move.hash, data: value as object, size: move.size }], skipDuplicates: true });
  }
  const hashes = likeAny([...moves.keys()]);
  const ids = new Set(
    (
      await db.$queryRawUnsafe<Array<{ id: string }>>(
        `SELECT id FROM run WHERE input::text ~* ANY($1::text[]) OR state::text ~* ANY($1::text[]) OR coalesce(error, '') ~* ANY($1::text[]) OR state::text LIKE ANY($2::text[])
         UNION SELECT DISTINCT run_id FROM run_event WHERE data::text ~* ANY($1::text[]) OR data::text LIKE ANY($2::text[])`,
        r.patterns,
        hashes,
      )
    ).map((x) => x.id),
  );
  await eachArchive(db, async (runId, list) => void (list.some((e) => r.json(e.data, moves).changed) && ids.add(runId)));
  for (const id of ids) await redactRun(db, r, erasureId, id, moves, seen);
  // Every reference now points at the redacted copies; the originals go.
  if (moves.size) await db.blob.deleteMany({ where: { hash: { in: [...moves.keys()] } } });
  return moves;
}

type RunRow = { status: string; currentStep: string | null; stepSeq: number | null; attempt: number; seq: number; error: string | null; state: unknown };
const viewOf = (r: RunRow) => ({ status: r.status, currentStep: r.currentStep, stepSeq: r.stepSeq, attempt: r.attempt, seq: r.seq, error: r.error, state: r.state });
const normal = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
const folds = (events: StoredRunEvent[], row: RunRow) =>
  isDeepStrictEqual(normal(foldEvents(events.map((e) => ({ seq: e.seq, type: e.type, step: e.step, data: e.data }) as RunEventRecord))), normal(viewOf(row)));

/**
 * One run, under its row lock (as every transition takes it): the same rewrite of its input, snapshot,
 * error, live events (through coo_redact_run_event, the one audited path the append-only trigger lets
 * through) and archived log. A run whose snapshot was its events' fold must still be, or nothing commits.
 */
async function redactRun(db: Db, r: Redactor, erasureId: string, id: string, moves: ReadonlyMap<string, BlobMove>, seen: (v: unknown) => void): Promise<void> {
  await db.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT id FROM run WHERE id = ${id} FOR UPDATE`;
      const run = await tx.run.findUnique({ where: { id } });
      if (!run) return;
      const live = await tx.runEvent.findMany({ where: { runId: id }, orderBy: { seq: 'asc' } });
      const archive = await tx.runArchive.findUnique({ where: { runId: id } });
      const archived = archive ? unpackArchive(id, archive.events) : [];
      const wasFold = folds([...archived, ...live], run);

      const input = r.json(run.input, moves);
      const state = r.json(run.state, moves);
      const error = run.error === null ? null : r.text(run.error);
      const redact = (list: StoredRunEvent[]) =>
        list.map((e) => {
          const d = r.json(e.data, moves);
          if (d.changed) seen(e.data);
          return { event: { ...e, data: d.value }, changed: d.changed };
        });
      const newLive = redact(live);
      const newArchived = redact(archived);
      const row = { ...run, state: state.value, error };
      if (wasFold && !folds([...newArchived, ...newLive].map((x) => x.event), row)) {
        throw new AppError('erasure_breaks_fold', `Erasing run ${id} would make its snapshot differ from its events; nothing was changed. This is a bug: please report it.`, { reportable: true });
      }
      if (input.changed || state.changed || error !== run.error) {
        seen([run.input, run.state, run.error]);
        await tx.run.update({ where: { id }, data: { input: input.value as object, state: state.value as object, error } });
      }
      for (const e of newLive) {
        if (e.changed) await tx.$executeRaw`SELECT coo_redact_run_event(${erasureId}, ${id}, ${e.event.seq}::int, ${JSON.stringify(e.event.data)}::jsonb)`;
      }
      if (archive && newArchived.some((e) => e.changed)) {
        const packed = packArchive(newArchived.map((e) => e.event));
        await tx.runArchive.update({ where: { runId: id }, data: { events: packed.events, rawBytes: packed.rawBytes } });
      }
    },
    { timeout: 60_000 },
  );
}
