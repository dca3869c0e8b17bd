/**
 * Every role `coo start --roles` knows, in one place for start.ts, the CLI's help and the README.
 * `chat` starts the configured chat platforms (Telegram, Slack); the web console comes with `http`.
 */
export const ROLES = ['workers', 'background', 'http', 'digest', 'chat'] as const;
export type Role = (typeof ROLES)[number];
export const DEFAULT_ROLES = ROLES.join(',');
