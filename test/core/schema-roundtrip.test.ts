import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelName } from '../../coordinator/db/generated/internal/prismaNamespace.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { ROOT } from '../support/harness.ts';

/**
 * schema.prisma gives the client its types; the SQL migrations build the database. This test builds a
 * database from the migrations alone (the template) and checks, for every model, that its table has
 * exactly the mapped columns with matching types and nullability, and that a row round-trips through
 * the generated client.
 */
interface Field {
  name: string;
  type: string;
  optional: boolean;
  list: boolean;
  column: string;
  autoincrement: boolean;
  relation?: { fields: string[]; references: string[] };
}
interface Model {
  name: string;
  table: string;
  fields: Field[];
  /** The primary key's fields (@id or @@id). */
  key: string[];
}

function parseSchema(text: string): Model[] {
  const models: Model[] = [];
  for (const m of text.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    const [, name, body] = m;
    const table = /@@map\("([^"]+)"\)/.exec(body)?.[1] ?? name;
    const compound = /@@id\(\[([^\]]+)\]\)/.exec(body)?.[1].split(',').map((s) => s.trim());
    const key: string[] = compound ?? [];
    const fields: Field[] = [];
    for (const raw of body.split('\n')) {
      const line = raw.replace(/\/\/.*$/, '').trim();
      if (!line || line.startsWith('@@')) continue;
      // Unsupported("tsvector") fields are typed by their database type.
      const fm = /^(\w+)\s+(\w+)(?:\("([^"]+)"\))?(\[\])?(\?)?\s*(.*)$/.exec(line);
      if (!fm) continue;
      const [, fname, base, dbType, list, opt, attrs] = fm;
      const type = base === 'Unsupported' && dbType ? `unsupported:${dbType}` : base;
      if (!compound && /@id\b/.test(attrs)) key.push(fname);
      const rel = /@relation\(fields: \[([^\]]+)\], references: \[([^\]]+)\]/.exec(attrs);
      fields.push({
        name: fname,
        type,
        list: !!list,
        optional: !!opt,
        column: /@map\("([^"]+)"\)/.exec(attrs)?.[1] ?? fname,
        autoincrement: attrs.includes('autoincrement()'),
        relation: rel ? { fields: rel[1].split(',').map((s) => s.trim()), references: rel[2].split(',').map((s) => s.trim()) } : undefined,
      });
    }
    models.push({ name, table, fields, key });
  }
  return models;
}

const SQL_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Boolean: 'boolean',
  DateTime: 'timestamp with time zone',
  Json: 'jsonb',
  Float: 'double precision',
  Decimal: 'numeric',
  Bytes: 'bytea',
};

/** Values for columns that CHECK constraints restrict. Add yours when you add such a constraint. */
const VALID_VALUES: Record<string, Record<string, unknown>> = {
  // A run's parent is another run (parallel branches): a top-level run has none, and following it would recurse.
  Run: { status: 'running', parentRunId: null },
  Approval: { status: 'pending' },
  WriteLedger: { status: 'started' },
  BudgetCap: { period: 'day' },
  BudgetReservation: { status: 'reserved' },
  MemoryRetention: { action: 'delete' },
  MemoryEntity: { summaryProvenance: 'untrusted' },
  MemoryEpisode: { provenance: 'untrusted' },
};

const schema = parseSchema(readFileSync(join(ROOT, 'prisma/schema.prisma'), 'utf8'));
const modelNames = new Set(schema.map((m) => m.name));
let tdb: TestDatabase;

beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(async () => tdb.drop());

function lowerFirst(s: string): string {
  return s[0].toLowerCase() + s.slice(1);
}

let counter = 0;
function sample(model: string, f: Field): unknown {
  const override = VALID_VALUES[model]?.[f.name];
  if (override !== undefined) return override;
  counter++;
  switch (f.type) {
    case 'String':
      return `${f.name}-${counter}`;
    case 'Int':
      return counter;
    case 'BigInt':
      return BigInt(counter);
    case 'Boolean':
      return counter % 2 === 0;
    case 'DateTime':
      return new Date(Date.UTC(2026, 10, 26, 8, 0, counter % 60, 123));
    case 'Json':
      return { sample: counter, nested: [1, 'two', { three: true }] };
    case 'Float':
      return counter + 0.5;
    case 'Decimal':
      return counter + 0.25;
    case 'Bytes':
      return new Uint8Array([counter % 256, 0, 255, 31]);
    default:
      throw new Error(`No sample value for ${model}.${f.name} of type ${f.type}: extend sample() in this test.`);
  }
}

/** Creates a row of `model` (and the rows it refers to), returning the created record. */
async function createRow(modelName: string): Promise<Record<string, unknown>> {
  const model = schema.find((m) => m.name === modelName)!;
  const data: Record<string, unknown> = {};
  for (const f of model.fields) {
    if (f.relation) {
      const parent = await createRow(f.type);
      f.relation.fields.forEach((local, i) => (data[local] = parent[f.relation!.references[i]]));
    }
  }
  for (const f of model.fields) {
    if (modelNames.has(f.type) || f.list || f.autoincrement || f.type.startsWith('unsupported:') || f.name in data) continue;
    data[f.name] = sample(modelName, f);
  }
  const delegate = (tdb.db as unknown as Record<string, { create(a: unknown): Promise<Record<string, unknown>> }>)[lowerFirst(modelName)];
  return delegate.create({ data });
}

describe('schema.prisma and the migrations agree', () => {
  it('parses every model the client knows', () => {
    expect(schema.map((m) => m.name).sort()).toEqual(Object.values(ModelName).sort());
  });

  for (const model of schema) {
    it(`${model.name}: the table has exactly the mapped columns, types and nullability`, async () => {
      const cols = await tdb.sql<{ column_name: string; data_type: string; is_nullable: string }>(
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
        [model.table],
      );
      expect(cols.length, `table ${model.table} exists`).toBeGreaterThan(0);
      const expected = model.fields
        .filter((f) => !modelNames.has(f.type))
        .map((f) => ({ column_name: f.column, data_type: f.list ? 'ARRAY' : (SQL_TYPES[f.type] ?? f.type.replace(/^unsupported:/, '')), is_nullable: f.optional ? 'YES' : 'NO' }))
        .sort((a, b) => a.column_name.localeCompare(b.column_name));
      expect(cols.sort((a, b) => a.column_name.localeCompare(b.column_name))).toEqual(expected);
    });

    it(`${model.name}: a row round-trips through the generated client`, async () => {
      const created = await createRow(model.name);
      const where: Record<string, unknown> = {};
      for (const k of model.key) where[k] = created[k];
      const delegate = (tdb.db as unknown as Record<string, { findFirstOrThrow(a: unknown): Promise<Record<string, unknown>> }>)[lowerFirst(model.name)];
      const read = await delegate.findFirstOrThrow({ where });
      expect(read).toEqual(created);
    });
  }
});
