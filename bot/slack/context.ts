import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { ChatGateway } from '../core/gateway.ts';
import { errorRef } from '../core/errors.ts';
import type { ChatStateStore } from '../core/store.ts';
import { safeErr } from '../core/redact.ts';

export const SURFACE = 'slack';

export interface SlackDeps {
  gateway: ChatGateway;
  store: ChatStateStore;
  logger: Logger;
  dataDir: string;
  token: string;
}

/**
 * The Slack counterpart of a grammY error boundary: a listener's failure is logged with a reference and
 * the operator is told "Something went wrong (ref X)" in the chat, instead of silence.
 */
export async function guarded(
  feature: string,
  deps: Pick<SlackDeps, 'logger'>,
  where: { client: WebClient; channel?: string; user?: string },
  fn: () => Promise<void>,
): Promise<void> {
  try {
    await fn();
  } catch (err) {
    const ref = errorRef();
    deps.logger.error({ surface: SURFACE, feature, ref, err: safeErr(err) }, 'slack handler failed');
    if (!where.channel) return;
    const text = `Something went wrong (ref ${ref}).`;
    try {
      if (where.user) await where.client.chat.postEphemeral({ channel: where.channel, user: where.user, text });
      else await where.client.chat.postMessage({ channel: where.channel, text });
    } catch (replyErr) {
      deps.logger.warn({ ref, err: safeErr(replyErr) }, 'could not tell the operator about a failure');
    }
  }
}
