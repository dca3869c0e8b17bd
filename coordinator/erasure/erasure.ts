import type { Db } from '../db/client.ts';
import { deleteFilesInside, filesAbout, pathsIn } from './file-erasure.ts';
import { createRedactor, type ErasureSubjectInput } from './redactor.ts';
import { countRunTraces, redactRuns } from './run-erasure.ts';
import { countTableTraces, redactTables } from './table-erasure.ts';

export const FILES_PLACE = 'files in the data folder';

/**
 * Erasure of a subject (a name, its e-mail addresses and phone numbers) from everything the
 * coordinator keeps: runs (input, snapshot, live events, archived logs), blobs, approvals, the write
 * ledger, chat messages and every other table, and the files in the data folder that are about it.
 *
 * Why a recorded redaction rather than per-subject encryption keys: the subject is found by its name
 * in values nobody tagged with it (an operator's free-text question, a step's output, a file name),
 * so there is no key to have encrypted them under; and crypto-shredding would leave the fold of a
 * run's events unreadable, where redaction leaves it a fold of the same events with "[forgotten]" in
 * place of the subject. The event log stays append-only for everything else: events are rewritten
 * only through coo_redact_run_event, under an open `erasure` row (see its migration), each run
 * together with its snapshot under the run's lock, and a run whose snapshot was its events' fold
 * stays one or nothing commits (run-erasure.ts). The erasure row records who, when and the counts
 * per place before and after: never the subject.
 *
 * What it does not reach: copies outside this machine's stores (messages already delivered to Slack or
 * Telegram, logs shipped elsewhere); a step already running when the erasure starts, which can commit
 * output computed from the old input afterwards (the receipt's "after" counts are taken once
 * everything is done, so such a write shows there; /forget again removes it); identifiers memory does
 * not hold for the subject (an address seen only next to the name in a run's input).
 */
export function createErasure(deps: { db: Db; dataDir?: string }) {
  const { db } = deps;

  async function count(subject: ErasureSubjectInput): Promise<Record<string, number>> {
    const r = createRedactor(subject);
    if (r.empty) return {};
    const refs = new Set<string>();
    const seen = (v: unknown) => pathsIn(v, refs);
    const runs = await countRunTraces(db, r, seen);
    const tables = await countTableTraces(db, r, seen);
    const files = await filesAbout(deps.dataDir, r, refs);
    return { ...runs, ...tables, [FILES_PLACE]: files.length };
  }

  return {
    /** Per place, how many values hold the subject; changes nothing (the /forget preview). */
    count,

    /** Rewrites the subject out of every coordinator store and deletes the files about it. */
    async erase(subject: ErasureSubjectInput, opts: { id: string; actor: string }): Promise<void> {
      const r = createRedactor(subject);
      if (r.empty) return;
      await db.erasure.create({ data: { id: opts.id, actor: opts.actor } });
      try {
        const refs = new Set<string>();
        const seen = (v: unknown) => pathsIn(v, refs);
        // `seen` gets each value as it was before its rewrite: the paths it held name the files to delete.
        const moves = await redactRuns(db, r, opts.id, seen);
        await redactTables(db, r, moves, seen);
        if (deps.dataDir) await deleteFilesInside(deps.dataDir, await filesAbout(deps.dataDir, r, refs));
      } finally {
        // Closed whatever happened: an open erasure is what lets an event be rewritten.
        await db.erasure.update({ where: { id: opts.id }, data: { finishedAt: new Date() } });
      }
    },

    /** Keeps the receipt (per place, before and after) on the erasure's record. */
    async record(id: string, counts: Record<string, { before: number; after: number }>): Promise<void> {
      await db.erasure.updateMany({ where: { id }, data: { counts } });
    },
  };
}

export type Erasure = ReturnType<typeof createErasure>;
