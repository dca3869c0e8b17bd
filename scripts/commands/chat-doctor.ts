import { type BotConfig, checkTelegramWebhook, describeSurfaces, loadBotConfig, runningSurfaces, type SurfacePresenceRow } from '../../bot/index.ts';
import { createDb, type Db, loadCoordinatorConfig } from '../../coordinator/index.ts';
import type { DoctorCheck } from './doctor.ts';

/**
 * `coo doctor`'s chat section: which surfaces will start and, by variable name, what each still needs;
 * whether a running COO process has started each configured one; and, for Telegram, whether its webhook
 * state matches the configured mode. The surface lines are optional (a COO without Telegram or Slack still
 * runs); a webhook state that keeps a configured bot deaf is a fault.
 */
export async function chatDoctorProbe(env?: Record<string, string | undefined>, deps: { db?: Db } = {}): Promise<DoctorCheck[]> {
  let config: BotConfig;
  try {
    config = env ? loadBotConfig(env) : loadBotConfig();
  } catch (err) {
    return [{ name: 'chat configuration', ok: false, detail: (err as Error).message }];
  }
  const running = await presence(deps.db);
  const surfaces: DoctorCheck[] = describeSurfaces(config).map((s) => {
    if (!s.configured) return { name: s.surface, ok: false, optional: true, detail: `not configured: set ${s.missing.join(' and ')} (see docs/chat-setup.md)` };
    const notes = s.notes.length ? `; ${s.notes.join('; ')}` : '';
    const row = running?.get(s.surface);
    if (running && !row) {
      return {
        name: s.surface,
        ok: false,
        optional: true,
        detail: `configured (${s.mode}) but not started by any running COO process: run \`coo start\` (every role), or add chat to its --roles list (--roles workers,background,http,digest,chat)${notes}`,
      };
    }
    const where = row ? `, running in pid ${row.pid} on ${row.host}` : '';
    return { name: s.surface, ok: true, optional: true, detail: `configured (${s.mode})${where}${notes}. Pair a chat with: coo pair` };
  });
  const webhook = await checkTelegramWebhook(config);
  if (webhook) surfaces.push({ name: 'telegram webhook', ...webhook });
  return surfaces;
}

/** Which surfaces live processes run; null when the database cannot say (its own check reports why). */
async function presence(given?: Db): Promise<Map<string, SurfacePresenceRow> | null> {
  let db = given;
  try {
    db ??= createDb(loadCoordinatorConfig().DATABASE_URL, { poolSize: 1 });
    return await runningSurfaces(db);
  } catch {
    return null;
  } finally {
    if (!given) await db?.$disconnect().catch(() => {});
  }
}
