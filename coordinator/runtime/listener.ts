import pg from 'pg';
import type { Logger } from '../logger.ts';

/**
 * One LISTEN connection per process, shared by every subscriber, reconnecting with backoff. NOTIFY is
 * only a wake-up: subscribers re-read the rows, so a notification missed during a reconnect costs
 * latency, never data (surfaces also catch up from the table on reconnect).
 */
export class PgListener {
  private client: pg.Client | null = null;
  private readonly handlers = new Map<string, Set<(payload: string) => void>>();
  private readonly reconnectHandlers = new Set<() => void>();
  private closed = false;
  private backoff = 200;
  private lost = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    await this.connect();
  }

  on(channel: string, handler: (payload: string) => void): () => void {
    const set = this.handlers.get(channel) ?? new Set();
    const isNew = set.size === 0;
    set.add(handler);
    this.handlers.set(channel, set);
    if (isNew && this.client) this.client.query(`LISTEN "${channel}"`).catch(() => {});
    return () => set.delete(handler);
  }

  /**
   * Called each time the connection comes back after it was lost: PostgreSQL may have restarted, and
   * what it lost (the last asynchronously committed transitions) is worth reconciling at once.
   */
  onReconnect(handler: () => void): () => void {
    this.reconnectHandlers.add(handler);
    return () => this.reconnectHandlers.delete(handler);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: 'coo-listener' });
    client.on('notification', (n) => {
      for (const h of this.handlers.get(n.channel) ?? []) {
        try {
          h(n.payload ?? '');
        } catch (err) {
          this.log.error({ err: String(err) }, 'listener handler failed');
        }
      }
    });
    client.on('error', () => this.reconnect(client));
    client.on('end', () => this.reconnect(client));
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) await client.query(`LISTEN "${channel}"`);
      this.client = client;
      this.backoff = 200;
      if (this.lost) {
        this.lost = false;
        this.log.warn('database connection is back; reconciling runs');
        for (const h of this.reconnectHandlers) h();
      }
    } catch (err) {
      this.log.warn({ err: String(err) }, 'LISTEN connection failed; retrying');
      this.reconnect(client);
    }
  }

  private reconnect(client: pg.Client): void {
    if (this.client === client) this.client = null;
    this.lost = true;
    client.removeAllListeners('end');
    client.end().catch(() => {});
    if (this.closed) return;
    const wait = this.backoff;
    this.backoff = Math.min(this.backoff * 2, 5_000);
    setTimeout(() => void this.connect(), wait).unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.client;
    this.client = null;
    if (c) {
      c.removeAllListeners('end');
      await c.end().catch(() => {});
    }
  }
}
