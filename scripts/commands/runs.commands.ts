import { Command } from 'commander';
import { fail, output, withCoordinator } from './context.ts';
import { formatRunSummary, summarizeRun } from './run-summary.ts';

export function runsCommand(): Command {
  return new Command('runs')
    .description('List the latest runs')
    .option('-s, --status <status>', 'only runs with this status (running, waiting, completed, failed, cancelled)')
    .option('-n, --limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(async (o: { status?: string; limit: string; json?: boolean }) => {
      await withCoordinator(async (c) => {
        const rows = await c.db.run.findMany({ where: o.status ? { status: o.status } : {}, orderBy: { createdAt: 'desc' }, take: Number(o.limit) || 20 });
        output(!!o.json, rows.map(({ state, ...r }) => r), () =>
          rows.length ? rows.map((r) => `${r.id}  ${r.process} v${r.version}  ${r.status}${r.currentStep ? ` @${r.currentStep}` : ''}  ${r.createdAt.toISOString()}${r.error ? `  ${r.error}` : ''}`).join('\n') : 'No runs.',
        );
      }).catch(fail);
    });
}

export function showCommand(): Command {
  return new Command('show')
    .description('Show a run: a summary (process, outcome, who decided what and when, durations, final output), then its event log')
    .argument('<run>', 'run id')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      await withCoordinator(async (c) => {
        const run = await c.runs.get(id);
        if (!run) throw new Error(`There is no run "${id}". \`coo runs\` lists runs.`);
        const events = await c.runs.events(id);
        // Parallel branches (ctx.parallel) are runs of their own: show where this one sits.
        const branches = await c.db.run.findMany({ where: { parentRunId: id }, orderBy: { createdAt: 'asc' }, select: { id: true, process: true, status: true, currentStep: true } });
        const summary = summarizeRun(run, events);
        output(!!o.json, { run, summary, events, branches }, () =>
          [
            `${run.id} ${run.process} v${run.version} — ${run.status}${run.currentStep ? ` at ${run.currentStep}` : ''}`,
            ...formatRunSummary(summary).map((l) => `  ${l}`),
            ...(run.parentRunId ? [`  a parallel branch of ${run.parentRunId} (coo show ${run.parentRunId})`] : []),
            ...(branches.length ? [`  branches: ${branches.map((b) => `${b.id} ${b.process} ${b.status}${b.currentStep ? ` at ${b.currentStep}` : ''}`).join('; ')}`] : []),
            'events',
            ...events.map((e) => `  #${e.seq} ${e.at.toISOString()} ${e.type}${e.step ? ` [${e.step}]` : ''} ${JSON.stringify(e.data).slice(0, 160)}`),
          ].join('\n'),
        );
      }).catch(fail);
    });
}

export function archiveCommand(): Command {
  return new Command('archive')
    .description("Compact the event logs of runs finished long ago into one archive row each (the policy runs hourly; `coo show` still shows archived logs)")
    .option('--older-than-days <days>', 'archive runs finished more than this many days ago (default: COO_RUN_ARCHIVE_AFTER_DAYS, 30)')
    .option('--json', 'print JSON')
    .action(async (o: { olderThanDays?: string; json?: boolean }) => {
      await withCoordinator(async (c) => {
        const days = o.olderThanDays === undefined ? c.config.COO_RUN_ARCHIVE_AFTER_DAYS : Number(o.olderThanDays);
        if (!Number.isFinite(days) || days < 0) throw new Error(`--older-than-days wants a number of days ≥ 0, not "${o.olderThanDays}".`);
        const r = await c.runs.archive(days);
        output(!!o.json, { olderThanDays: days, ...r }, () =>
          r.runs === 0 ? `No finished run older than ${days} days has an event log left to archive.` : `Archived ${r.runs} runs (${r.events} events): ${(r.rawBytes / 1024).toFixed(1)} KB of events stored in ${(r.storedBytes / 1024).toFixed(1)} KB.`,
        );
      }).catch(fail);
    });
}

export function replayCommand(): Command {
  return new Command('replay')
    .description('Re-run a finished run from a step (default: the step it failed at, else its first step)')
    .argument('<run>', 'run id')
    .option('--from <step>', 'step to re-run from')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { from?: string; json?: boolean }) => {
      await withCoordinator(async (c) => {
        const r = await c.runs.replay(id, 'cli', o.from);
        output(!!o.json, { runId: id, from: r.step }, () => `Replaying ${id} from step "${r.step}". A running COO picks it up; \`coo show ${id}\` follows it.`);
      }).catch(fail);
    });
}

export function processesCommand(): Command {
  return new Command('processes')
    .description('List the process graphs (with Mermaid diagrams)')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      await withCoordinator(async (c) => {
        const { drawMermaid, processGraph } = await import('../../coordinator/index.ts');
        const graphs = c.registry.list().map(processGraph);
        output(!!o.json, graphs.map((g) => ({ ...g, mermaid: drawMermaid(g) })), () => graphs.map((g) => `${g.name} v${g.version} — ${g.description}\n${drawMermaid(g)}`).join('\n\n'));
      }).catch(fail);
    });
}

export function statusCommand(): Command {
  return new Command('status')
    .description('Runs by status, queue sizes, pending approvals, open incidents')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      await withCoordinator(async (c) => {
        // Either form, not both: each reads every queue's counts from Redis.
        if (o.json) return output(true, await c.status(), () => '');
        const r = await c.operator.handleMessage({ surface: 'cli', actor: 'cli', text: '/status' });
        console.log(r.reply?.body.text);
      }).catch(fail);
    });
}

/** Sends any chat command as the operator, from the terminal: `coo say /approve apv_…`. */
export function sayCommand(): Command {
  return new Command('say')
    .description('Send a message or /command to the COO as the operator (e.g. coo say /inbox)')
    .argument('<text...>', 'what to say')
    .option('--json', 'print JSON')
    .action(async (words: string[], o: { json?: boolean }) => {
      await withCoordinator(async (c) => {
        const r = await c.operator.handleMessage({ surface: 'cli', actor: 'cli', text: words.join(' ') });
        output(!!o.json, r.reply, () => r.reply?.body.text ?? '');
        if (r.reply?.body.kind === 'error') process.exitCode = 1;
      }).catch(fail);
    });
}
