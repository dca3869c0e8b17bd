import type { OutboundMessageInput } from '../operator/message.ts';
import type { StatusReport } from '../observability/status.ts';

/**
 * What built-in process handlers may call. Process files import only these types; the composition root
 * (coordinator.ts) supplies the implementations, so process logic stays free of Prisma and node:*.
 */
export interface CoreServices {
  [name: string]: unknown;
  operator: {
    post(body: OutboundMessageInput): Promise<{ id: string }>;
    findByRef(ref: string): Promise<{ id: string } | null>;
  };
  reports: {
    status(): Promise<StatusReport>;
    /**
     * Runs finished (completed/failed/cancelled) since a time, for the digest. `retryable`: it failed at
     * a step that /retry can run again (not a run that ended with an answer, such as an unreadable file).
     */
    finishedSince(since: string): Promise<Array<{ id: string; process: string; status: string; error: string | null; retryable: boolean }>>;
  };
}
