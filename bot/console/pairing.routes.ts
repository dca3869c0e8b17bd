import type { Hono } from 'hono';
import type { PairingStore } from '../core/pairing.ts';

const SURFACES = ['telegram', 'slack'] as const;

/**
 * The console's pairing API (mount it behind the console's login, like mountConsole): a one-time code to
 * send to the bot, the list of paired chats, and unpairing. Codes are shown once and stored hashed.
 */
export function mountPairing(app: Hono, opts: { pairing: PairingStore }): void {
  app.post('/api/pairing-codes', async (c) => {
    const { code, expiresAt } = await opts.pairing.createPairingCode();
    return c.json({ code, expiresAt: expiresAt.toISOString(), telegram: `/pair ${code}`, slack: `/coo pair ${code}` }, 201);
  });

  app.get('/api/chats', async (c) => {
    const out = [];
    for (const surface of SURFACES) {
      for (const b of await opts.pairing.bindings(surface)) out.push({ surface, chatId: b.chatId, userId: b.userId, label: b.label, boundAt: b.boundAt.toISOString() });
    }
    return c.json(out);
  });

  app.delete('/api/chats/:surface/:chatId', async (c) => {
    const surface = c.req.param('surface');
    if (!(SURFACES as readonly string[]).includes(surface)) return c.json({ error: { code: 'unknown_surface', message: `No surface "${surface}".` } }, 404);
    const removed = await opts.pairing.unbind(surface, c.req.param('chatId'));
    return removed ? c.body(null, 204) : c.json({ error: { code: 'not_paired', message: 'That chat is not paired.' } }, 404);
  });
}
