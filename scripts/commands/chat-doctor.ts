import { describeSurfaces, loadBotConfig } from '../../bot/index.ts';
import type { DoctorCheck } from './doctor.ts';

/**
 * `coo doctor`'s chat section: which surfaces will start and, by variable name, what each still needs.
 * Optional checks: a COO without Telegram or Slack still runs (the web console is always there).
 */
export async function chatDoctorProbe(env?: Record<string, string | undefined>): Promise<DoctorCheck[]> {
  let config;
  try {
    config = env ? loadBotConfig(env) : loadBotConfig();
  } catch (err) {
    return [{ name: 'chat configuration', ok: false, detail: (err as Error).message }];
  }
  return describeSurfaces(config).map((s) => ({
    name: s.surface,
    ok: s.configured,
    optional: true,
    detail: s.configured
      ? `configured (${s.mode})${s.notes.length ? `; ${s.notes.join('; ')}` : ''}. Pair a chat with: coo pair`
      : `not configured: set ${s.missing.join(' and ')} (see docs/chat-setup.md)`,
  }));
}
