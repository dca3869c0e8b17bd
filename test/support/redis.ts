import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { TEST_REDIS_URL } from './services.ts';

/** A BullMQ prefix no other test file uses, and a cleanup that deletes every key under it. */
export function testQueuePrefix(): { prefix: string; cleanup(): Promise<void> } {
  const prefix = `cooT${randomBytes(5).toString('hex')}`;
  return { prefix, cleanup: () => deleteKeysWithPrefix(TEST_REDIS_URL, prefix) };
}

/** Deletes every key under a BullMQ prefix (tests and benchmarks leave nothing behind in Redis). */
export async function deleteKeysWithPrefix(redisUrl: string, prefix: string): Promise<void> {
  const r = new Redis(redisUrl, { maxRetriesPerRequest: null });
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await r.del(...keys);
  } while (cursor !== '0');
  await r.quit();
}
