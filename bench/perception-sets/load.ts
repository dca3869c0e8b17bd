/**
 * Loads an evaluation source into one shape: our own generator's fixtures (test/fixtures/perception/labels.json,
 * no split), the independent generator's set and the real set (manifest.json with a frozen dev/test split).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManifestSchema, unknownExpected, type Expected, type ManifestEntry } from './manifest.schema.ts';

export const SOURCES = {
  own: 'test/fixtures/perception',
  indep: 'test/fixtures/perception-indep',
  real: 'test/fixtures/perception-real',
} as const;
export type SourceName = keyof typeof SOURCES;

export interface EvalDoc {
  id: string;
  path: string;
  source: SourceName;
  collection: string;
  /** null: the source has no split (our own generator's fixtures are reported whole). */
  split: 'dev' | 'test' | null;
  class: ManifestEntry['class'];
  rendering: ManifestEntry['rendering'];
  language: string;
  isDocument: boolean;
  expected: Expected | null;
}

interface OwnLabel {
  file: string;
  docType: ManifestEntry['class'];
  isDocument: boolean;
  lang: string | null;
  note: string;
  fields: null | Record<string, string | number | null>;
}

/** Our generator's notes name the rendering ("phone photo", "digital pdf", "noisy scan"…). */
function ownRendering(l: OwnLabel): ManifestEntry['rendering'] {
  if (l.docType === 'screenshot') return 'screenshot';
  if (l.docType === 'photo' || /photo/.test(l.note)) return 'phone-photo';
  if (/digital/.test(l.note)) return 'digital-pdf';
  return 'scan';
}

const money = (v: unknown): string | null => (typeof v === 'number' ? v.toFixed(2) : null);
const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function loadOwn(dir: string): EvalDoc[] {
  const labels = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as OwnLabel[];
  return labels.map((l) => ({
    id: l.file,
    path: join(dir, l.file),
    source: 'own',
    collection: 'own-generator',
    split: null,
    class: l.docType,
    rendering: ownRendering(l),
    language: l.lang ?? 'xx',
    isDocument: l.isDocument,
    expected: l.fields
      ? unknownExpected({
          vendor: text(l.fields.vendor) ? [text(l.fields.vendor)!] : null,
          number: text(l.fields.number),
          issueDate: text(l.fields.issueDate),
          dueDate: text(l.fields.dueDate),
          currency: text(l.fields.currency),
          total: money(l.fields.total),
          subtotal: money(l.fields.subtotal),
          tax: money(l.fields.tax),
          // The own generator's labels hold only a line count, not the items: no item F1 for this source.
          lineItems: null,
          consistent: true,
        })
      : null,
  }));
}

export function loadSource(source: SourceName): EvalDoc[] {
  const dir = SOURCES[source];
  if (source === 'own') return loadOwn(dir);
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) return [];
  const m = ManifestSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  return m.docs.map((d) => ({
    id: d.file,
    path: join(dir, d.file),
    source,
    collection: d.collection,
    split: d.split,
    class: d.class,
    rendering: d.rendering,
    language: d.language,
    isDocument: d.class !== 'photo',
    expected: d.expected,
  }));
}
