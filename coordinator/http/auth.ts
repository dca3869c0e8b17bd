import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Db } from '../db/client.ts';

export const SESSION_COOKIE = 'coo_session';
const TOKEN_KEY = 'console.token';

export interface ConsoleAuth {
  /** The operator's login token, created on first use and kept in Postgres so links survive restarts. */
  token(): Promise<string>;
  loginUrl(baseUrl: string): Promise<string>;
  /** Replaces the token: every old link and session stops working. */
  rotate(): Promise<string>;
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

export function createConsoleAuth(db: Db): ConsoleAuth {
  let cached: string | null = null;
  const token = async (): Promise<string> => {
    if (cached) return cached;
    const fresh = randomBytes(24).toString('base64url');
    await db.setting.createMany({ data: [{ key: TOKEN_KEY, value: fresh }], skipDuplicates: true });
    const row = await db.setting.findUniqueOrThrow({ where: { key: TOKEN_KEY } });
    cached = row.value as string;
    return cached;
  };
  return {
    token,
    async loginUrl(baseUrl) {
      return `${baseUrl.replace(/\/$/, '')}/login?token=${await token()}`;
    },
    async rotate() {
      const fresh = randomBytes(24).toString('base64url');
      await db.setting.upsert({ where: { key: TOKEN_KEY }, create: { key: TOKEN_KEY, value: fresh }, update: { value: fresh } });
      cached = fresh;
      return fresh;
    },
    sessionValue: hash,
    middleware({ publicPaths }) {
      return async (c, next) => {
        if (publicPaths.some((p) => p.test(c.req.path))) return next();
        const t = await token();
        const cookie = getCookie(c, SESSION_COOKIE);
        const bearer = c.req.header('authorization')?.replace(/^Bearer\s+/i, '');
        if ((cookie && equal(cookie, hash(t))) || (bearer && equal(bearer, t))) return next();
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
