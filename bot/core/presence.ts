import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import type { Db } from '../../coordinator/index.ts';

const KEY_PREFIX = 'surface.running.';
/** A presence row older than this belongs to a process that is gone (it refreshes every HEARTBEAT_MS). */
export const PRESENCE_STALE_MS = 90_000;
const HEARTBEAT_MS = 30_000;

const PresenceSchema = z.object({ instance: z.string(), pid: z.number(), host: z.string(), mode: z.string().nullable(), at: z.string() });
export type SurfacePresenceRow = z.infer<typeof PresenceSchema> & { surface: string };

/**
 * Which chat surfaces a running COO process has actually started, kept in the `setting` table so that
 * `coo doctor` (another process) can tell a configured surface that runs from one that no process started
 * (a `--roles` list without `chat`). Each process refreshes its rows and removes them when it stops.
 */
export class SurfacePresence {
  private readonly instance = randomUUID();
  private timer: NodeJS.Timeout | null = null;
  private surfaces: Array<{ name: string; mode: string | null }> = [];

  constructor(private readonly db: Db) {}

  async announce(surfaces: Array<{ name: string; mode: string | null }>): Promise<void> {
    this.surfaces = surfaces;
    await this.write();
    if (!this.timer && surfaces.length) {
      this.timer = setInterval(() => void this.write().catch(() => {}), HEARTBEAT_MS);
      this.timer.unref();
    }
  }

  /** Removes this process's rows only: another process may have taken a surface over meanwhile. */
  async withdraw(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const keys = this.surfaces.map((s) => KEY_PREFIX + s.name);
    this.surfaces = [];
    if (keys.length) await this.db.setting.deleteMany({ where: { key: { in: keys }, value: { path: ['instance'], equals: this.instance } } });
  }

  private async write(): Promise<void> {
    for (const s of this.surfaces) {
      const value = { instance: this.instance, pid: process.pid, host: hostname(), mode: s.mode, at: new Date().toISOString() };
      await this.db.setting.upsert({ where: { key: KEY_PREFIX + s.name }, create: { key: KEY_PREFIX + s.name, value }, update: { value } });
    }
  }
}

/** The surfaces some live process runs now (rows refreshed within PRESENCE_STALE_MS). */
export async function runningSurfaces(db: Db, now = new Date()): Promise<Map<string, SurfacePresenceRow>> {
  const rows = await db.setting.findMany({ where: { key: { startsWith: KEY_PREFIX } } });
  const out = new Map<string, SurfacePresenceRow>();
  for (const r of rows) {
    const p = PresenceSchema.safeParse(r.value);
    if (!p.success || now.getTime() - Date.parse(p.data.at) > PRESENCE_STALE_MS) continue;
    const surface = r.key.slice(KEY_PREFIX.length);
    out.set(surface, { ...p.data, surface });
  }
  return out;
}
