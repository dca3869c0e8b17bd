import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * Short, time-ordered, URL- and job-id-safe ids ("run_0k3x…"): sortable by creation, no ':' (BullMQ
 * job ids cannot contain one), short enough to type in a chat command.
 */
export function newId(prefix: string): string {
  let t = Date.now();
  let time = '';
  for (let i = 0; i < 9; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const rand = randomBytes(6);
  let r = '';
  for (const b of rand) r += ALPHABET[b % 32];
  return `${prefix}_${time}${r}`;
}
