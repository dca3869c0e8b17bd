import type { ManifestEntry } from '../../bench/perception-sets/manifest.schema.ts';

type Store = (collection: string, name: string, bytes: Buffer) => Promise<{ file: string; note: string }>;
type GitShow = (mirror: string, path: string) => Buffer;

/** Filled in once the ZUGFeRD / Factur-X PDFs are curated. */
export async function zugferdEntries(_mirrors: string, _store: Store, _gitShow: GitShow): Promise<ManifestEntry[]> {
  return [];
}
