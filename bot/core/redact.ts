/** An error's code and message only: platform errors can carry request payloads and URLs with tokens. */
export function safeErr(err: unknown): { code?: string; message: string } {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; message?: unknown; error_code?: unknown; description?: unknown };
    const code = typeof e.code === 'string' ? e.code : typeof e.error_code === 'number' ? String(e.error_code) : undefined;
    const message = typeof e.description === 'string' ? e.description : typeof e.message === 'string' ? e.message : String(err);
    return { code, message: redact(message) };
  }
  return { message: redact(String(err)) };
}

/** Strips anything that looks like a bot token or Slack token from a string before it is logged. */
export function redact(s: string): string {
  return s
    .replace(/bot\d+:[A-Za-z0-9_-]{20,}/g, 'bot<redacted>')
    .replace(/\d{6,}:[A-Za-z0-9_-]{30,}/g, '<redacted>')
    .replace(/xox[abpr]-[A-Za-z0-9-]+/g, 'xox?-<redacted>')
    .replace(/xapp-[A-Za-z0-9-]+/g, 'xapp-<redacted>');
}
