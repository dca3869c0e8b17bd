import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTPReceiver } from '@slack/bolt';
import type { Logger as SlackLogger } from '@slack/logger';
import type { Logger } from 'pino';

/** Slack's replay window: a signed request is good for 5 minutes around its timestamp, either way. */
export const SLACK_TIMESTAMP_WINDOW_S = 5 * 60;

/**
 * True when the x-slack-request-timestamp header is within the window of `nowMs`, in the past or the future.
 * Bolt refuses only stale timestamps, so a request signed for later (a clock far ahead, or one prepared to be
 * replayed later) would pass. Missing or non-numeric headers are left to Bolt, which refuses them.
 */
export function slackTimestampFresh(header: string | string[] | undefined, nowMs = Date.now()): boolean | 'absent' {
  if (header === undefined || Array.isArray(header) || !/^\d+$/.test(header)) return 'absent';
  return Math.abs(Math.floor(nowMs / 1000) - Number(header)) <= SLACK_TIMESTAMP_WINDOW_S;
}

/**
 * Bolt's HTTP receiver (v0 signature over the raw body) behind one more check: the timestamp must be
 * within 5 minutes in both directions. The check runs before Bolt reads the body, and a refused
 * request gets 401 as a bad signature does.
 */
export function createSlackReceiver(opts: { signingSecret: string; logger: Logger; boltLogger: SlackLogger }): HTTPReceiver {
  const receiver = new HTTPReceiver({ signingSecret: opts.signingSecret, logger: opts.boltLogger, processBeforeResponse: false });
  const bolt = receiver.requestListener;
  receiver.requestListener = (req: IncomingMessage, res: ServerResponse) => {
    if (slackTimestampFresh(req.headers['x-slack-request-timestamp']) === false) {
      opts.logger.warn({ surface: 'slack', path: req.url }, 'refused a Slack request with a timestamp outside the 5-minute window');
      req.resume();
      res.writeHead(401).end();
      return;
    }
    bolt(req, res);
  };
  return receiver;
}
