import { Command } from 'commander';
import type { PairingStore } from '../../bot/index.ts';

export interface PairDeps {
  /** Opens what the command needs; close() is called when it is done. */
  open(): Promise<{ pairing: Pick<PairingStore, 'createPairingCode' | 'bindings' | 'unbind'>; close(): Promise<void> }>;
  out?: (line: string) => void;
}

/** The default wiring: the database from the coordinator's configuration, the TTL from the chat's. */
export function defaultPairDeps(): PairDeps {
  return {
    open: async () => {
      const [{ loadBotConfig, PairingStore }, { createDb, loadCoordinatorConfig }] = await Promise.all([import('../../bot/index.ts'), import('../../coordinator/index.ts')]);
      const db = createDb(loadCoordinatorConfig().DATABASE_URL, { poolSize: 1 });
      const pairing = new PairingStore(db, { ttlMinutes: loadBotConfig().COO_PAIRING_TTL_MINUTES });
      return { pairing, close: () => db.$disconnect() };
    },
  };
}

/**
 * `coo pair`: prints a one-time code to send to the bot (`/pair CODE` on Telegram, `/coo pair CODE` or a DM
 * "pair CODE" on Slack). `coo pair --list` shows the paired chats, `coo pair --unbind surface:chat` removes one.
 */
export function pairCommand(deps: PairDeps = defaultPairDeps()): Command {
  const out = deps.out ?? ((l: string) => console.log(l));
  return new Command('pair')
    .description('Pair a Telegram or Slack chat with the COO (prints a one-time code)')
    .option('--list', 'list paired chats')
    .option('--unbind <surface:chatId>', 'remove a paired chat')
    .action(async (opts: { list?: boolean; unbind?: string }) => {
      const { pairing, close } = await deps.open();
      try {
        if (opts.list) {
          for (const surface of ['telegram', 'slack']) {
            for (const b of await pairing.bindings(surface)) out(`${surface}:${b.chatId}  user ${b.userId}  since ${b.boundAt.toISOString()}${b.label ? `  (${b.label})` : ''}`);
          }
          return;
        }
        if (opts.unbind) {
          const [surface, ...rest] = opts.unbind.split(':');
          const ok = await pairing.unbind(surface, rest.join(':'));
          out(ok ? `Unpaired ${opts.unbind}.` : `No paired chat ${opts.unbind}.`);
          return;
        }
        const { code, expiresAt } = await pairing.createPairingCode();
        out(`Pairing code: ${code}`);
        out(`Valid until ${expiresAt.toISOString()}, once. Send it to the bot:`);
        out(`  Telegram: /pair ${code}`);
        out(`  Slack:    /coo pair ${code}  (or DM the app: pair ${code})`);
      } finally {
        await close();
      }
    });
}
