import { join } from 'node:path';
import { Command } from 'commander';
import { fail, output, withCoordinator } from './commands/context.ts';
import { costsCommand, forgetCommand, memoryCommand, registerAiDoctorProbe, replayCallCommand } from './commands/ai.commands.ts';
import { doctorCommand, extraProbes } from './commands/doctor.ts';
import { runForwardingSignals } from './commands/forward.ts';
import { connectorsCommand, connectorsDoctorProbe, importCommand } from './commands/import.commands.ts';
import { pairCommand } from './commands/pair.ts';
import { perceiveCommand } from './commands/perceive.ts';
import { perceptionDoctorProbe } from './commands/perception-doctor.ts';
import { DEFAULT_ROLES } from './roles.ts';
import { archiveCommand, processesCommand, replayCommand, runsCommand, sayCommand, showCommand, statusCommand } from './commands/runs.commands.ts';

const root = join(import.meta.dirname, '..');
const program = new Command('coo')
  .description('solo-coo: your AI COO. Every command has --help; most have --json for scripts.')
  .showHelpAfterError('(add --help for usage)');

program
  .command('up')
  .description('Set up everything (deps, PostgreSQL, Redis, migrations) and run the COO with its web console')
  .allowUnknownOption()
  .action((_o, cmd: Command) => runForwardingSignals('bash', [join(root, 'scripts/up.sh'), ...cmd.args], root));

program
  .command('start')
  .description('Run the COO (services must already be up; see coo up)')
  .option('--roles <list>', `comma-separated (chat: Telegram and Slack, when configured)`, DEFAULT_ROLES)
  .option('--processes <paths>', 'extra process modules to register (comma-separated)', '')
  // In this process, not a child: SIGTERM/SIGINT must reach the server itself (no orphan holding the port).
  .action(async (o: { roles: string; processes: string }) => {
    const { startCoo } = await import('./start.ts');
    await startCoo(o);
  });

program
  .command('migrate')
  .description('Apply database migrations')
  .action(() => runForwardingSignals(process.execPath, ['--import', 'tsx', join(root, 'scripts/migrate.ts')], root));

program
  .command('login')
  .description("Print the web console's login link")
  .option('--rotate', 'make a new token; old links and sessions stop working')
  .option('--json', 'print JSON')
  .action(async (o: { rotate?: boolean; json?: boolean }) => {
    await withCoordinator(async (c) => {
      const { createConsoleAuth } = await import('../coordinator/index.ts');
      const auth = createConsoleAuth(c.db);
      if (o.rotate) await auth.rotate();
      const base = c.config.COO_PUBLIC_URL ?? `http://${c.config.COO_HTTP_HOST}:${c.config.COO_HTTP_PORT}`;
      const url = await auth.loginUrl(base);
      output(!!o.json, { url, rotated: !!o.rotate }, () => (o.rotate ? `${url}\n(every older link and console session is refused from now on, also by a COO that is running)` : url));
    }).catch(fail);
  });

program.addCommand(statusCommand());
program.addCommand(runsCommand());
program.addCommand(showCommand());
program.addCommand(replayCommand());
program.addCommand(archiveCommand());
program.addCommand(processesCommand());
program.addCommand(sayCommand());
program.addCommand(doctorCommand());
program.addCommand(pairCommand());
program.addCommand(perceiveCommand());
program.addCommand(replayCallCommand());
program.addCommand(memoryCommand());
program.addCommand(costsCommand());
program.addCommand(forgetCommand());
program.addCommand(importCommand());
program.addCommand(connectorsCommand());

// coo doctor also reports the chat surfaces, the perception backend and the model/memory modes.
extraProbes.push(async () => (await import('./commands/chat-doctor.ts')).chatDoctorProbe(), perceptionDoctorProbe, connectorsDoctorProbe);
registerAiDoctorProbe();

await program.parseAsync(process.argv);
