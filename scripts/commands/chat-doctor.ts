import { checkTelegramWebhook, describeSurfaces, loadBotConfig } from '../../bot/index.ts';
import type { DoctorCheck } from './doctor.ts';

/**
 * `coo doctor`'s chat section: which surfaces will start and, by variable name, what each still needs;
 * and, for Telegram, whether its webhook state matches the configured mode. The surface lines are
 * optional (a COO without Telegram or Slack still runs); a webhook state that keeps a configured bot deaf
 * is a fault.
 */
export async function chatDoctorProbe(env?: Record<string, string | undefined>): Promise<DoctorCheck[]> {
  let config;
  try {
    config = env ? loadBotConfig(env) : loadBotConfig();
  } catch (err) {
    return [{ name: 'chat configuration', ok: false, detail: (err as Error).message }];
  }
  const surfaces: DoctorCheck[] = describeSurfaces(config).map((s) => ({
    name: s.surface,
    ok: s.configured,
    optional: true,
    detail: s.configured
      ? `configured (${s.mode})${s.notes.length ? `; ${s.notes.join('; ')}` : ''}. Pair a chat with: coo pair`
      : `not configured: set ${s.missing.join(' and ')} (see docs/chat-setup.md)`,
  }));
  const webhook = await checkTelegramWebhook(config);
  if (webhook) surfaces.push({ name: 'telegram webhook', ...webhook });
  return surfaces;
}
