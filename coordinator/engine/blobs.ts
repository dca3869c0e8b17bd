import { createHash } from 'node:crypto';
import type { Db } from '../db/client.ts';

export interface BlobRef {
  $blob: string;
  size: number;
}

export function isBlobRef(v: unknown): v is BlobRef {
  return typeof v === 'object' && v !== null && typeof (v as BlobRef).$blob === 'string';
}

type Tx = Pick<Db, 'blob'>;

/**
 * Keeps large payloads out of events and snapshots (no run hits a row-size cap, snapshots stay small):
 * values over the threshold are stored once, content-addressed, and replaced by a reference.
 */
export async function externalize(tx: Tx, value: unknown, threshold: number): Promise<unknown> {
  if (value === undefined) return null;
  const json = JSON.stringify(value);
  if (json === undefined || json.length <= threshold) return value;
  const hash = createHash('sha256').update(json).digest('hex');
  await tx.blob.createMany({ data: [{ hash, data: value as object, size: json.length }], skipDuplicates: true });
  return { $blob: hash, size: json.length } satisfies BlobRef;
}

/** Replaces blob references (top level of a record) with their content. */
export async function resolveBlobs(db: Tx, record: Record<string, unknown>): Promise<Record<string, unknown>> {
  const refs = Object.entries(record).filter(([, v]) => isBlobRef(v)) as Array<[string, BlobRef]>;
  if (refs.length === 0) return record;
  const rows = await db.blob.findMany({ where: { hash: { in: refs.map(([, r]) => r.$blob) } } });
  const byHash = new Map(rows.map((r) => [r.hash, r.data]));
  const out = { ...record };
  for (const [k, r] of refs) out[k] = byHash.get(r.$blob) ?? null;
  return out;
}

export async function resolveBlob(db: Tx, v: unknown): Promise<unknown> {
  return isBlobRef(v) ? (await resolveBlobs(db, { v })).v : v;
}
