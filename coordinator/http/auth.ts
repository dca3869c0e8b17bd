import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Db } from '../db/client.ts';

export const SESSION_COOKIE = 'coo_session';

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by the login middleware: re-checks this request's credential against the current token. */
    cooStillAuthorized: () => Promise<boolean>;
  }
}

/**
 * For long-lived responses (the console's live stream): true while the credential this request came in
 * with is still the current one. A stream opened before `coo login --rotate` must stop, not keep sending.
 */
export function stillAuthorized(c: Context): Promise<boolean> {
  const check = c.get('cooStillAuthorized');
  return check ? check() : Promise.resolve(true);
}
const TOKEN_KEY = 'console.token';

export interface ConsoleAuth {
  /** The operator's login token, created on first use and kept in Postgres so links survive restarts. */
  token(): Promise<string>;
  loginUrl(baseUrl: string): Promise<string>;
  /**
   * Replaces the token: every old link, bearer token and session cookie stops working in every process at
   * once (each request reads the current token; sessions are derived from it).
   */
  rotate(): Promise<string>;
  /** True when `given` is the current token (a login link's or a bearer token), compared in constant time. */
  isCurrentToken(given: string): Promise<boolean>;
  sessionValue(token: string): string;
  middleware(opts: { publicPaths: RegExp[] }): MiddlewareHandler;
}

function hash(token: string): string {
  return createHash('sha256').update(`coo-session:${token}`).digest('hex');
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The console's login. The token is read from PostgreSQL on every request rather than cached: `coo login
 * --rotate` runs in another process, and a rotation must lock the old token out of the running server at
 * once. A cache woken by NOTIFY would leave the old token valid whenever the LISTEN connection is down; one
 * primary-key read per request costs far less than that window.
 */
export function createConsoleAuth(db: Db): ConsoleAuth {
  const current = async (): Promise<string | null> => {
    const row = await db.setting.findUnique({ where: { key: TOKEN_KEY } });
    return typeof row?.value === 'string' ? row.value : null;
  };
  const token = async (): Promise<string> => {
    const existing = await current();
    if (existing) return existing;
    // Two processes starting together agree on one token: the first insert wins, both read it back.
    await db.setting.createMany({ data: [{ key: TOKEN_KEY, value: randomBytes(24).toString('base64url') }], skipDuplicates: true });
    return (await current())!;
  };
  const isCurrentToken = async (given: string): Promise<boolean> => {
    const t = await current();
    return t !== null && given !== '' && equal(given, t);
  };
  return {
    token,
    isCurrentToken,
    async loginUrl(baseUrl) {
      return `${baseUrl.replace(/\/$/, '')}/login?token=${await token()}`;
    },
    async rotate() {
      const fresh = randomBytes(24).toString('base64url');
      await db.setting.upsert({ where: { key: TOKEN_KEY }, create: { key: TOKEN_KEY, value: fresh }, update: { value: fresh } });
      return fresh;
    },
    sessionValue: hash,
    middleware({ publicPaths }) {
      return async (c, next) => {
        if (publicPaths.some((p) => p.test(c.req.path))) return next();
        const cookie = getCookie(c, SESSION_COOKIE);
        const bearer = c.req.header('authorization')?.replace(/^Bearer\s+/i, '');
        const valid = async () => {
          const t = await current();
          return Boolean(t && ((cookie && equal(cookie, hash(t))) || (bearer && equal(bearer, t))));
        };
        if (await valid()) {
          c.set('cooStillAuthorized', valid);
          return next();
        }
        if (c.req.path.startsWith('/api/') || c.req.path === '/metrics') {
          return c.json({ error: { code: 'unauthorized', message: 'Log in with the link printed by `npm run up` (or `coo login`).' } }, 401);
        }
        return c.html(
          '<!doctype html><meta charset="utf-8"><title>solo-coo</title><body style="font-family:system-ui;margin:3rem"><h1>Log in to your COO</h1><p>Open the login link printed by <code>npm run up</code>, or run <code>coo login</code> to print it again.</p></body>',
          401,
        );
      };
    },
  };
}
