import type { DeliveredPart } from './split.ts';

/** How far one delivery got: the parts sent (by index) and how many of its files went out. */
export interface Progress {
  parts: Array<DeliveredPart | undefined>;
  files: number;
}

/**
 * What a delivery of several calls (text parts, then files) has done so far in this process, so that the
 * outbound queue's retry after a failure part-way continues where it stopped instead of sending the
 * first parts again. Kept in memory only: after a crash, Slack finds its parts by metadata and Telegram
 * starts over (docs/chat-setup.md).
 */
export class DeliveryProgress {
  private readonly byId = new Map<string, Progress>();

  of(deliveryId: string): Progress {
    let p = this.byId.get(deliveryId);
    if (!p) {
      p = { parts: [], files: 0 };
      this.byId.set(deliveryId, p);
      if (this.byId.size > 1_000) this.byId.delete(this.byId.keys().next().value!);
    }
    return p;
  }

  done(deliveryId: string): void {
    this.byId.delete(deliveryId);
  }
}
