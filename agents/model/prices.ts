import type { Db } from '../../coordinator/db/client.ts';
import { SHIPPED_PRICES, SHIPPED_PRICES_AS_OF, shippedPrice, type Price } from './price-list.ts';

export type { Price } from './price-list.ts';

/** Where a model's price came from: the operator's table, the shipped list, or the configured default. */
export type PriceSource = 'set' | 'shipped' | 'default';

/**
 * The operator-editable price table (USD per million tokens, table model_price) over the shipped list
 * (price-list.ts). Read through a short cache because every call is costed; `set` invalidates it so a
 * change applies to the next call. A model with no price anywhere is `null`: the model service refuses
 * it under a cap rather than counting it as free.
 */
export interface PriceTable {
  priceOf(model: string): Promise<Price | null>;
  /** Unknown models cost 0 here; callers that guard a cap check `priceOf` first. */
  cost(model: string, tokensIn: number, tokensOut: number): Promise<number>;
  set(model: string, price: Price): Promise<void>;
  /** The operator's rows, then the shipped list (dated). */
  list(): Promise<Array<{ model: string; source: PriceSource; asOf?: string } & Price>>;
}

/** `defaultPrice`: what models without a price cost (COO_MODEL_DEFAULT_PRICE); none means they have no known price. */
export function createPriceTable(db: Db, opts: { defaultPrice?: Price | null; ttlMs?: number }): PriceTable {
  let cache: { at: number; rows: Map<string, Price> } | null = null;
  const ttl = opts.ttlMs ?? 5_000;
  const load = async () => {
    if (cache && Date.now() - cache.at < ttl) return cache.rows;
    const rows = await db.modelPrice.findMany();
    cache = { at: Date.now(), rows: new Map(rows.map((r) => [r.model, { inputPerM: Number(r.inputPerM), outputPerM: Number(r.outputPerM) }])) };
    return cache.rows;
  };
  const priceOf = async (model: string) => {
    const rows = await load();
    return rows.get(model) ?? rows.get('*') ?? shippedPrice(model) ?? opts.defaultPrice ?? null;
  };
  return {
    priceOf,
    async cost(model, tokensIn, tokensOut) {
      return costOf(await priceOf(model), tokensIn, tokensOut);
    },
    async set(model, price) {
      await db.modelPrice.upsert({ where: { model }, create: { model, ...price }, update: price });
      cache = null;
    },
    async list() {
      const own = [...(await load()).entries()].map(([model, p]) => ({ model, source: 'set' as const, ...p }));
      const shipped = Object.entries(SHIPPED_PRICES).filter(([m]) => !own.some((o) => o.model === m)).map(([model, p]) => ({ model, source: 'shipped' as const, asOf: SHIPPED_PRICES_AS_OF, ...p }));
      return [...own, ...shipped];
    },
  };
}

/** The cost of a call at a price (none: 0), in micro-dollars like the numeric(14,6) columns. */
export function costOf(p: Price | null, tokensIn: number, tokensOut: number): number {
  return p ? roundUsd((tokensIn * p.inputPerM + tokensOut * p.outputPerM) / 1_000_000) : 0;
}

/** Money is kept to micro-dollars, like the numeric(14,6) columns. */
export function roundUsd(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
