import type { WebClient } from '@slack/web-api';
import { z } from 'zod';

/** The metadata event type our posts carry, so a delivery can be found in a channel's history. */
export const DELIVERY_EVENT = 'coo_delivery';
/** How far back and how many pages a lookup reads: a delivery is found within minutes of its message. */
const LOOKBACK_MS = 10 * 60_000;
const MAX_PAGES = 5;

const HistoryMessage = z.object({
  ts: z.string(),
  metadata: z.object({ event_type: z.string(), event_payload: z.record(z.string(), z.unknown()).optional() }).optional(),
});

/**
 * Finds the parts of one delivery already in a channel (part index → ts), reading conversations.history
 * with all metadata from shortly before the message was written, a bounded number of pages. Slack has no
 * idempotency key for chat.postMessage; this lookup is what stands in for one after a crash.
 */
export async function findDeliveryParts(client: WebClient, channel: string, deliveryId: string, createdAtMs: number): Promise<Map<number, string>> {
  const found = new Map<number, string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await client.conversations.history({
      channel,
      oldest: ((createdAtMs - LOOKBACK_MS) / 1000).toFixed(6),
      include_all_metadata: true,
      limit: 200,
      ...(cursor ? { cursor } : {}),
    });
    for (const raw of res.messages ?? []) {
      const m = HistoryMessage.safeParse(raw);
      if (!m.success || m.data.metadata?.event_type !== DELIVERY_EVENT) continue;
      const p = m.data.metadata.event_payload ?? {};
      if (p.delivery_id === deliveryId && typeof p.part === 'number') found.set(p.part, m.data.ts);
    }
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!res.has_more || !cursor) break;
  }
  return found;
}
