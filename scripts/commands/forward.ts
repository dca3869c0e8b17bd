import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/**
 * Runs a long-lived child (set-up scripts, migrations) and passes SIGINT/SIGTERM on to it, then exits with
 * its status. spawnSync would let a signal kill this process alone and leave the child running (for
 * `coo up`, the server with its port bound).
 */
export function runForwardingSignals(command: string, args: string[], cwd?: string): Promise<never> {
  const child = spawn(command, args, { stdio: 'inherit', cwd });
  const forward = (signal: NodeJS.Signals) => () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  return new Promise<never>(() => {
    child.once('error', (err) => {
      console.error(`Could not run ${command}: ${err.message}`);
      process.exit(1);
    });
    // A child ended by a signal exits as a shell reports it: 128 + the signal's number.
    child.once('exit', (code, signal) => process.exit(code ?? (signal ? 128 + constants.signals[signal] : 1)));
  });
}
