/**
 * Named places where a crash test may SIGKILL this process, armed through COO_CRASH_POINTS
 * ("after-commit-before-enqueue:0.2,mid-handler:0.1"). Unarmed points cost one Map lookup.
 */
export type CrashPointName =
  | 'after-step-started'
  | 'mid-handler'
  | 'after-ledger-intent'
  | 'after-external-call'
  | 'before-step-commit'
  | 'after-commit-before-enqueue'
  | 'after-enqueue-before-commit'
  | 'after-enqueue-before-mark'
  | 'after-approval-commit'
  /** An operator's message or press is recorded as received; its work has not begun. */
  | 'after-inbound-receipt'
  /** The work's effects have committed; the receipt is not settled yet. */
  | 'after-inbound-work'
  // The integration bus (connectors/): after a pull returned its page, and inside the record transaction before it commits.
  | 'connector-after-pull'
  | 'connector-before-record-commit';

const armed = new Map<string, number>();

export function armCrashPoints(spec: string): void {
  armed.clear();
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, p] = part.split(':');
    armed.set(name, p === undefined ? 1 : Number(p));
  }
}

export function crashPoint(name: CrashPointName): void {
  const p = armed.get(name);
  if (p !== undefined && Math.random() < p) {
    process.stderr.write(`crash point ${name}: SIGKILL ${process.pid}\n`);
    process.kill(process.pid, 'SIGKILL');
  }
}
