import { App, LogLevel } from '@slack/bolt';
import type { Logger as SlackLogger } from '@slack/logger';
import type { Logger } from 'pino';
import { redact } from '../core/redact.ts';
import { registerActions } from './actions.ts';
import { registerCommand } from './command.ts';
import type { SlackDeps } from './context.ts';
import { registerEvents } from './events.ts';
import { createSlackReceiver } from './receiver.ts';

export interface SlackAppOptions {
  token: string;
  /** HTTP mode: requests are verified (v0 HMAC over the raw body, timestamp within 5 minutes either way). */
  signingSecret?: string;
  /** Socket Mode: an app-level token (xapp-…); no public URL needed. */
  appToken?: string;
  /** Web API base URL; only for tests. */
  apiUrl?: string;
}

/**
 * Bolt's logger interface on top of pino, with token-shaped strings redacted. Bolt's debug output
 * includes request bodies (message text, file names), so it is dropped.
 */
function boltLogger(log: Logger): SlackLogger {
  const fmt = (msg: unknown[]) => redact(msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' '));
  let level = LogLevel.INFO;
  return {
    debug: () => {},
    info: (...m) => log.info(fmt(m)),
    warn: (...m) => log.warn(fmt(m)),
    error: (...m) => log.error(fmt(m)),
    setLevel: (l) => (level = l),
    getLevel: () => level,
    setName: () => {},
  };
}

/**
 * Builds the Bolt app with our listeners. The Web API client leaves 429s and retries to our outbound
 * queue (which keeps per-chat order) instead of retrying on its own.
 */
export function createSlackApp(opts: SlackAppOptions, deps: SlackDeps): App {
  const clientOptions = {
    ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl } : {}),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
  };
  const socketMode = Boolean(opts.appToken);
  const logger = boltLogger(deps.logger.child({ lib: 'bolt' }));
  const app = new App({
    token: opts.token,
    // In Socket Mode the receiver's own client (apps.connections.open) takes its options from installerOptions.
    ...(socketMode
      ? { socketMode: true, appToken: opts.appToken, installerOptions: { clientOptions }, processBeforeResponse: false }
      : { receiver: createSlackReceiver({ signingSecret: opts.signingSecret ?? '', logger: deps.logger, boltLogger: logger }) }),
    clientOptions,
    logger,
  });
  registerEvents(app, deps);
  registerCommand(app, deps);
  registerActions(app, deps);
  app.error(async (err) => {
    deps.logger.error({ surface: 'slack', err: { code: (err as { code?: string }).code, message: redact(err.message) } }, 'unhandled slack error');
  });
  return app;
}
