import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectorBus, createConnectorLayer } from '../../connectors/index.ts';
import type { Coordinator } from '../../coordinator/index.ts';
import { feedConnector } from '../fixtures/connectors/feed.connector.ts';
import { createTestEnv, ROOT, type TestEnv } from '../support/harness.ts';

let env: TestEnv;
let c: Coordinator;
let bus: ConnectorBus;

/** One pull in a child process with a crash point armed; resolves with how the child ended. */
function pullInChild(crashPoints: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/fixtures/connectors/pull-child.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env.env, COO_CRASH_POINTS: crashPoints },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  return new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal, out })));
}

const cursor = async () => (await c.db.connectorCursor.findUnique({ where: { connector_account: { connector: 'feed', account: 'default' } } }))?.cursor ?? null;

beforeAll(async () => {
  env = await createTestEnv();
  const layer = createConnectorLayer([feedConnector]);
  c = await env.coordinator({ processes: layer.processes, services: layer.services });
  bus = layer.attach(c);
});
afterAll(async () => env?.cleanup());

describe('a poller killed between pull and record', () => {
  it.each(['connector-after-pull', 'connector-before-record-commit'])('leaves the cursor before the page when killed at %s, and the next pull records each item once', async (point) => {
    const before = await cursor();
    const recordedBefore = await c.db.connectorItem.count();
    const child = await pullInChild(point);
    expect(child.signal, child.out).toBe('SIGKILL');
    expect(child.out).toContain(`crash point ${point}`);
    expect(await cursor()).toEqual(before);
    expect(await c.db.connectorItem.count()).toBe(recordedBefore);
    // The next pull (here, in this process) delivers the same page and records each item once.
    const next = await bus.pull('feed');
    expect(next.items.map((i) => i.outcome)).toEqual(['recorded', 'recorded']);
    expect(await c.db.connectorItem.count()).toBe(recordedBefore + 2);
    expect(await c.db.run.count({ where: { process: 'inbound-item' } })).toBe(recordedBefore + 2);
    expect(await cursor()).toBe(((before as number | null) ?? 0) + 2);
  });

  it('runs a pull to its end in a child with no crash point armed (the harness itself works)', async () => {
    // Back to where the second page starts: the child re-delivers recorded items and starts nothing.
    await c.db.connectorCursor.update({ where: { connector_account: { connector: 'feed', account: 'default' } }, data: { cursor: 2 } });
    const child = await pullInChild('');
    expect(child.code, child.out).toBe(0);
    expect(child.out).toContain('pulled ["duplicate","duplicate"]');
    expect(await c.db.run.count({ where: { process: 'inbound-item' } })).toBe(4);
    expect(await cursor()).toBe(4);
  });
});
