import type { Db } from '../../coordinator/db/client.ts';

export interface Price {
  inputPerM: number;
  outputPerM: number;
}

/**
 * The operator-editable price table (USD per million tokens, table model_price). Read through a short
 * cache because every call is costed; `set` invalidates it so a change applies to the next call.
 */
export interface PriceTable {
  priceOf(model: string): Promise<Price>;
  cost(model: string, tokensIn: number, tokensOut: number): Promise<number>;
  set(model: string, price: Price): Promise<void>;
  list(): Promise<Array<{ model: string } & Price>>;
}

export function createPriceTable(db: Db, opts: { defaultPrice: Price; ttlMs?: number }): PriceTable {
  let cache: { at: number; rows: Map<string, Price> } | null = null;
  const ttl = opts.ttlMs ?? 5_000;
  const load = async () => {
    if (cache && Date.now() - cache.at < ttl) return cache.rows;
    const rows = await db.modelPrice.findMany();
    cache = { at: Date.now(), rows: new Map(rows.map((r) => [r.model, { inputPerM: Number(r.inputPerM), outputPerM: Number(r.outputPerM) }])) };
    return cache.rows;
  };
  const priceOf = async (model: string) => (await load()).get(model) ?? (await load()).get('*') ?? opts.defaultPrice;
  return {
    priceOf,
    async cost(model, tokensIn, tokensOut) {
      const p = await priceOf(model);
      return roundUsd((tokensIn * p.inputPerM + tokensOut * p.outputPerM) / 1_000_000);
    },
    async set(model, price) {
      await db.modelPrice.upsert({ where: { model }, create: { model, ...price }, update: price });
      cache = null;
    },
    async list() {
      return [...(await load()).entries()].map(([model, p]) => ({ model, ...p }));
    },
  };
}

/** Money is kept to micro-dollars, like the numeric(14,6) columns. */
export function roundUsd(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
