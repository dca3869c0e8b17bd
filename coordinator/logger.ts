import { pino, type Logger } from 'pino';

export type { Logger };

/** One pino logger per process; secrets are redacted by path so a token never reaches a log line. */
export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: opts.name ?? 'coo',
    level: opts.level ?? 'info',
    redact: {
      paths: ['token', '*.token', 'password', '*.password', 'secret', '*.secret', 'authorization', '*.authorization', 'headers.cookie'],
      censor: '[redacted]',
    },
  });
}
