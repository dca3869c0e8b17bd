import type { WebClient } from '@slack/web-api';
import { z } from 'zod';

/** The metadata event type our posts carry, so a delivery can be found in a channel's history. */
export const DELIVERY_EVENT = 'coo_delivery';
/** How far back and how many pages a lookup reads: a delivery is found within minutes of its message. */
const LOOKBACK_MS = 10 * 60_000;
const MAX_PAGES = 5;

const HistoryMessage = z.object({
  ts: z.string(),
  files: z.array(z.object({ name: z.string().optional() })).optional(),
  metadata: z.object({ event_type: z.string(), event_payload: z.record(z.string(), z.unknown()).optional() }).optional(),
});

export interface FoundDelivery {
  /** Part index → ts of the messages tagged with this delivery. */
  parts: Map<number, string>;
  /** Names of the files shared in the channel after a given ts (uploads cannot carry metadata). */
  filesAfter(ts: string): Set<string>;
}

/**
 * Finds what one delivery left in a channel, reading conversations.history with all metadata from
 * shortly before the message was written, a bounded number of pages. Slack has no idempotency key for
 * chat.postMessage; this lookup is what stands in for one after a crash.
 */
export async function findDelivery(client: WebClient, channel: string, deliveryId: string, createdAtMs: number): Promise<FoundDelivery> {
  const parts = new Map<number, string>();
  const fileMessages: Array<{ ts: number; names: string[] }> = [];
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
      if (!m.success) continue;
      if (m.data.files?.length) fileMessages.push({ ts: Number(m.data.ts), names: m.data.files.map((f) => f.name ?? '') });
      if (m.data.metadata?.event_type !== DELIVERY_EVENT) continue;
      const p = m.data.metadata.event_payload ?? {};
      if (p.delivery_id === deliveryId && typeof p.part === 'number') parts.set(p.part, m.data.ts);
    }
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!res.has_more || !cursor) break;
  }
  return {
    parts,
    filesAfter: (ts) => new Set(fileMessages.filter((f) => f.ts > Number(ts)).flatMap((f) => f.names)),
  };
}
