import { Command } from 'commander';
import type { AiLayer } from '../../agents/index.ts';
import type { Coordinator } from '../../coordinator/index.ts';
import { fail, output, withCoordinator } from './context.ts';
import { extraProbes } from './doctor.ts';
import { formatRate, progressLine } from './progress.ts';

/** Runs a CLI action against the composed COO (the AI layer attached, no workers, no loops), closed after. */
const withAi = <T>(fn: (c: Coordinator, ai: AiLayer) => Promise<T>): Promise<T> => withCoordinator(fn);
/** The AI layer's functions, loaded when a command runs (not for `coo --help`). */
const agents = () => import('../../agents/index.ts');

/** `coo replay-call <id> [--model m]`: re-sends a recorded model call and shows old and new output side by side. */
export function replayCallCommand(): Command {
  return new Command('replay-call')
    .description('Re-send a recorded model call to the current (or another) model; old and new output side by side')
    .argument('<id>', 'model call id (failed calls in /inbox carry it)')
    .option('--model <model>', 'model to use instead of the tier chain ("name" or "provider:name")')
    .option('--width <n>', 'column width', '60')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { model?: string; width: string; json?: boolean }) => {
      await withAi(async (_c, ai) => {
        const { replayCall, formatReplay } = await agents();
        const r = await replayCall({ recorder: ai.stack.recorder, model: ai.stack.model }, id, { model: o.model });
        output(!!o.json, r, () => formatReplay(r, Number(o.width) || 60));
      }).catch(fail);
    });
}

/** `coo memory status|rebuild|sync`: the memory's mode, and rebuilding Chroma from Postgres. */
export function memoryCommand(): Command {
  const cmd = new Command('memory').description('Memory: status, rebuild vectors from Postgres, embed what is missing');
  cmd
    .command('status')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      await withAi(async (_c, ai) => {
        const s = await ai.memory.status();
        output(!!o.json, s, () => `mode: ${s.mode}\nembedder: ${s.embedder}\nvector store: ${s.vectorStore ?? 'none'} (${s.vector.up ? 'up' : `down: ${s.vector.lastError ?? '?'}`})\nrecords waiting for vectors: ${s.pendingVectors}`);
      }).catch(fail);
    });
  cmd
    .command('rebuild')
    .description('Drop the vector index and rebuild it from Postgres (Chroma is never the only copy)')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      await withAi(async (_c, ai) => {
        const t0 = Date.now();
        const line = progressLine();
        const r = await ai.memory
          .rebuildVectors({ onProgress: (p) => line.show(`Rebuilding vectors: ${formatRate({ ...p, elapsedMs: Date.now() - t0, unit: 'records' })}`) })
          .finally(() => line.end());
        output(!!o.json, { ...r, ms: Date.now() - t0 }, () => `Rebuilt ${r.embedded} vectors in ${((Date.now() - t0) / 1000).toFixed(1)} s (${r.skipped} redacted records have none).`);
      }).catch(fail);
    });
  cmd
    .command('sync')
    .description('Embed records that have no vectors yet (written while Chroma was down, or an index emptied by a new embedder); a running COO does this by itself every minute')
    .action(async () => {
      await withAi(async (_c, ai) => {
        let total = 0;
        let refilled = false;
        for (;;) {
          const r = await ai.memory.upkeepVectors(5_000);
          total += r.embedded;
          refilled ||= r.refilled;
          if (r.embedded === 0) break;
        }
        console.log(`${refilled ? 'The vector index was empty; refilled it from Postgres. ' : ''}Embedded ${total} records.`);
      }).catch(fail);
    });
  return cmd;
}

/** `coo costs [--days n]`: model spend by agent, process and day, and the deep-pass share. */
export function costsCommand(): Command {
  return new Command('costs')
    .description('Model spend by agent, process and day')
    .option('--days <n>', 'window in days', '1')
    .option('--json', 'print JSON')
    .action(async (o: { days: string; json?: boolean }) => {
      await withAi(async (c) => {
        const { costReport } = await agents();
        const r = await costReport(c.db, new Date(Date.now() - Math.max(1, Number(o.days) || 1) * 86_400_000));
        output(!!o.json, r, () =>
          [
            `Total $${r.totalUsd.toFixed(4)} over ${r.calls} calls (${r.failedCalls} failed); deep passes ${r.deepPasses.count} ($${r.deepPasses.usd.toFixed(4)})`,
            ...r.byAgent.map((a) => `  agent ${a.agent}: $${a.usd.toFixed(4)} ×${a.calls}`),
            ...r.byProcess.map((a) => `  process ${a.process}: $${a.usd.toFixed(4)} ×${a.calls}`),
            ...r.byDay.map((a) => `  ${a.day}: $${a.usd.toFixed(4)} ×${a.calls}`),
          ].join('\n'),
        );
      }).catch(fail);
    });
}

/**
 * `coo forget <name> [--yes] [--json]`: without --yes, every place that holds the name, its e-mail
 * addresses and phone numbers, with counts; with it, the erasure and its receipt (before → after).
 */
export function forgetCommand(): Command {
  return new Command('forget')
    .description('Erase a customer, vendor or person everywhere: memory, runs (archives included), chat, ledger, files, vectors, model calls')
    .argument('<name...>', 'the name, e.g. Acme')
    .option('--yes', 'erase now (without it, only show what would be erased)')
    .option('--json', 'print JSON')
    .action(async (words: string[], o: { yes?: boolean; json?: boolean }) => {
      const name = words.join(' ');
      await withAi(async (_c, ai) => {
        const { formatForgetPreview, formatForgetReceipt } = await agents();
        if (!o.yes) {
          const p = await ai.memory.forgetPreview(name);
          output(!!o.json, p, () => `${formatForgetPreview(p)}
Run \`coo forget ${name} --yes\` to erase.`);
          return;
        }
        const r = await ai.memory.forget(name, { actor: 'cli' });
        output(!!o.json, { entities: r.entities.map((e) => ({ id: e.id, kind: e.kind })), places: r.places }, () => formatForgetReceipt(r));
      }).catch(fail);
    });
}

/** Adds the model mode and memory mode to `coo doctor`. Call once before the doctor runs. */
export function registerAiDoctorProbe(): void {
  extraProbes.push(async () => withAi(async (_c, ai) => ai.doctor()));
}
