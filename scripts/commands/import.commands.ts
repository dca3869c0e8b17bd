import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import type { BankImportResult, ConnectorBus } from '../../connectors/index.ts';
import type { Coordinator } from '../../coordinator/index.ts';
import { fail, output } from './context.ts';


/**
 * The COO every surface runs (scripts/composition.ts, connectors included), for one CLI action. Loaded
 * on use, like every command's dependencies, so `coo --help` pays for none of it.
 */
async function withBus<T>(fn: (bus: ConnectorBus, c: Coordinator, conn: typeof import('../../connectors/index.ts')) => Promise<T>): Promise<T> {
  const [{ composeCoordinator }, { createLogger }, conn] = await Promise.all([import('../composition.ts'), import('../../coordinator/index.ts'), import('../../connectors/index.ts')]);
  const { coordinator, connectors } = await composeCoordinator({ log: createLogger({ level: 'warn' }), ai: { vectorUpkeep: false } });
  try {
    return await fn(connectors, coordinator, conn);
  } finally {
    await coordinator.stop();
  }
}

function human(r: BankImportResult, file: string, account: string | undefined): string {
  if (r.status === 'preview') {
    const m = r.mapping;
    const col = (i: number | null) => (i === null ? '—' : `"${m.header[i]}"`);
    const lines = [
      r.why === 'new' ? `This is how I read ${file} (account ${r.account}):` : `The export's columns changed since the mapping for ${r.account} was confirmed. This is how I read it now:`,
      `  separator ${m.delimiter === '\t' ? 'tab' : `"${m.delimiter}"`}, decimal ${m.decimal === ',' ? 'comma' : 'point'}, dates ${m.dateFormat}, header on line ${m.headerRow + 1}`,
      `  date ${col(m.date)}, value date ${col(m.valueDate)}, ${m.amount !== null ? `amount ${col(m.amount)}` : `debit ${col(m.debit)} / credit ${col(m.credit)}`}, currency ${m.currency !== null ? col(m.currency) : m.defaultCurrency}, party ${col(m.counterparty)}, text ${m.description.map(col).join(' + ') || '—'}`,
      `  ${r.rows} rows${r.unreadable ? `, ${r.unreadable} of them unreadable (they will reach /inbox)` : ''}. First rows:`,
      ...r.sample.map((s) => (s.ok ? `    ${s.bookingDate}  ${s.amount.padStart(12)} ${s.currency}  ${(s.counterparty ?? '').slice(0, 30).padEnd(30)}  ${s.description.slice(0, 50)}` : `    line ${s.line}: unreadable (${s.error})`)),
      `If this is right, run again with --yes: coo import bank ${file} --account ${account ?? r.account} --yes (the mapping is then remembered for ${r.account}).`,
    ];
    return lines.join('\n');
  }
  return `Imported ${file} (${r.format}, ${r.accounts.join(', ')}): ${r.added} new transaction${r.added === 1 ? '' : 's'}, ${r.alreadyKnown} already known${r.unreadable ? `, ${r.unreadable} unreadable (in /inbox: ${r.incidents.join(', ')})` : ''}.`;
}

/**
 * `coo import bank <file> [--account X] [--yes] [--json]`: a CSV is previewed until its reading is
 * confirmed once with --yes (then remembered per account); CAMT.053 imports at once. Each new
 * transaction starts its run (the running COO's relay picks it up).
 */
export function importCommand(): Command {
  const cmd = new Command('import').description('Import data from files (bank statements)');
  cmd
    .command('bank')
    .description('Import a bank statement: CSV from any bank, or CAMT.053 XML')
    .argument('<file>', 'the export, e.g. umsaetze.csv or statement.xml')
    .option('--account <name>', 'which account (required for CSV; CAMT uses its IBAN unless given)')
    .option('--yes', 'confirm the detected CSV reading (remembered for the account)')
    .option('--currency <code>', 'currency of a CSV without a currency column', 'EUR')
    .option('--json', 'print JSON')
    .action(async (file: string, o: { account?: string; yes?: boolean; currency: string; json?: boolean }) => {
      const text = await readFile(file, 'utf8').catch((err: Error) => fail(new Error(`cannot read ${file}: ${err.message}`)));
      await withBus(async (bus, c, conn) => {
        const r = await conn.importBankStatement(bus, conn.settingsMappingStore(c.db), { text, account: o.account, yes: !!o.yes, defaultCurrency: o.currency });
        output(!!o.json, r, () => human(r, file, o.account));
      }).catch(fail);
    });
  return cmd;
}

/** `coo connectors [--json]`: each connector's last success, lag, items per day, error rate and state. */
export function connectorsCommand(): Command {
  return new Command('connectors')
    .description('Each connector: last successful pull or delivery, lag, items in 24h, error rate, stopped delivering')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      await withBus(async (bus) => {
        const list = await bus.status();
        output(!!o.json, list, () =>
          list.map((s) => `${s.connector} (${s.account}): last success ${s.lastSuccessAt ?? 'never'}, ${s.items24h} items in 24h, error rate ${Math.round(s.errorRate * 100)}%${s.stoppedDelivering ? ', STOPPED DELIVERING' : ''}${s.lastError ? `, last error: ${s.lastError}` : ''}`).join('\n') || 'No connectors.',
        );
      }).catch(fail);
    });
}

/**
 * `coo doctor`: the webhook settings (valid, never printed) and one line per connector: its own health
 * check where it has one (a polled connector reaching its server), else whether and how it is reachable.
 */
export async function connectorsDoctorProbe(): Promise<Array<{ name: string; ok: boolean; detail: string; optional?: boolean }>> {
  const { builtInConnectors, loadWebhookConfig, webhookEndpoints } = await import('../../connectors/index.ts');
  let endpoints: ReturnType<typeof webhookEndpoints>;
  try {
    endpoints = webhookEndpoints(loadWebhookConfig());
  } catch (err) {
    return [{ name: 'webhooks', ok: false, detail: (err as Error).message }];
  }
  const checks: Array<{ name: string; ok: boolean; detail: string; optional?: boolean }> = [];
  for (const d of builtInConnectors) {
    const ep = endpoints.find((e) => e.connector.name === d.name);
    if (d.health) {
      const h = await d.health().catch((err: unknown) => ({ ok: false, detail: `health check failed: ${err instanceof Error ? err.message : String(err)}` }));
      checks.push({ name: `connector ${d.name}`, ok: h.ok, detail: h.detail });
    } else if (ep) checks.push({ name: `connector ${d.name}`, ok: true, detail: `receives POST /hooks/${d.name} (${ep.mode} signatures, secret set)` });
    else if (d.name === 'bank') checks.push({ name: 'connector bank', ok: true, optional: true, detail: 'file import: coo import bank <file> --account <name>' });
    else checks.push({ name: `connector ${d.name}`, ok: true, optional: true, detail: `not configured (set COO_${d.name.toUpperCase()}_WEBHOOK_SECRET; see docs/connectors.md)` });
  }
  return checks;
}
