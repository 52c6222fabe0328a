/**
 * Turns price dimensions into quotes: one price per dimension (shared by every environment that needs it), from the
 * live Price List or the bundled snapshot, or the reason it is unpriced. Pricing modes:
 *
 * - `snapshot`: the bundled snapshot only; never calls AWS.
 * - `live`: the Price List API only. No credentials, or a request that fails after the SDK's retries, is an error
 *   ({@link LivePricingError}); nothing falls back.
 * - `auto`: live when a credential source is configured (environment, profile, ~/.aws files, container) and the
 *   default credential chain yields credentials, else the snapshot, without any network connection. A live request
 *   that fails falls back to the snapshot for that dimension, and the quote says so (`fallbackReason`).
 */
import type { PriceDimension } from './dimensions';
import { LivePriceList, PriceListCallError } from './live';
import { SelectedPrice, selectPrice } from './price-list';
import { PriceSnapshot, selectFromSnapshot } from './snapshot';
import { configuredCredentialSource } from './credential-sources';

export type PricingMode = 'auto' | 'live' | 'snapshot';
export const PRICING_MODES: readonly PricingMode[] = ['auto', 'live', 'snapshot'];

export type Quote =
  | {
      readonly ok: true;
      readonly price: SelectedPrice;
      readonly source: 'live';
    }
  | {
      readonly ok: true;
      readonly price: SelectedPrice;
      readonly source: 'snapshot';
      /** `YYYY-MM-DD` the snapshot record was checked. */
      readonly checked: string;
      /** Set when a live request failed and this price came from the snapshot instead. */
      readonly fallbackReason?: string;
    }
  | { readonly ok: false; readonly reason: string };

/** Why a `--pricing live` run cannot go on: no credentials, or a request failed after the SDK's retries. */
export class LivePricingError extends Error {
  constructor(
    message: string,
    /** The SDK error of the failed request; undefined when credentials are missing. */
    readonly cause?: unknown,
    readonly request?: string,
  ) {
    super(message);
    this.name = 'LivePricingError';
  }
}

export interface PricingOutcome {
  readonly requested: PricingMode;
  /** Where prices came from: `live` (possibly with fallbacks) or `snapshot`. */
  readonly used: 'live' | 'snapshot';
  /** Why `auto` used the snapshot, for the command's progress output. */
  readonly note?: string;
  readonly quotes: ReadonlyMap<string, Quote>;
  /** `GetProducts` requests sent. */
  readonly requests: number;
}

export interface QuoteOptions {
  readonly mode: PricingMode;
  readonly snapshot: PriceSnapshot;
  /** Creates the live client; called only in `auto` and `live`. */
  readonly live?: () => Promise<LivePriceList>;
  /** Concurrent requests at most. @default 4 */
  readonly concurrency?: number;
}

export const DEFAULT_CONCURRENCY = 4;

function checkUnit(dimension: PriceDimension, price: SelectedPrice): string | undefined {
  return price.unit === dimension.unit ? undefined : `price is per '${price.unit}', expected '${dimension.unit}'`;
}

export function snapshotQuote(snapshot: PriceSnapshot, dimension: PriceDimension, fallbackReason?: string): Quote {
  const s = selectFromSnapshot(snapshot, dimension);
  if (!s.ok) return { ok: false, reason: fallbackReason ? `${fallbackReason}; and ${s.reason}` : s.reason };
  const bad = checkUnit(dimension, s.selection.price);
  if (bad) return { ok: false, reason: `snapshot: ${bad}` };
  return { ok: true, price: s.selection.price, source: 'snapshot', checked: s.source.checked, fallbackReason };
}

async function liveQuote(live: LivePriceList, dimension: PriceDimension): Promise<Quote> {
  const items = await live.products(dimension);
  const s = selectPrice(items, { serviceCode: dimension.serviceCode, filters: dimension.filters, mode: 'strict' });
  if (!s.ok) return { ok: false, reason: `Price List: ${s.reason}` };
  const bad = checkUnit(dimension, s.price);
  if (bad) return { ok: false, reason: `Price List: ${bad}` };
  return { ok: true, price: s.price, source: 'live' };
}

/** Runs `work` over `items` with at most `limit` in flight; results in input order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

function describeCause(err: unknown): string {
  const e = err as { name?: string; message?: string };
  return `${e?.name ?? 'Error'}: ${(e?.message ?? String(err)).replace(/\s+/g, ' ').trim()}`;
}

/** One quote per distinct dimension key. */
export async function quoteDimensions(dimensions: readonly PriceDimension[], o: QuoteOptions): Promise<PricingOutcome> {
  const unique = [...new Map(dimensions.map((d) => [d.key, d])).values()].sort((a, b) =>
    a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
  );
  const fromSnapshot = (note?: string): PricingOutcome => ({
    requested: o.mode,
    used: 'snapshot',
    note,
    quotes: new Map(unique.map((d) => [d.key, snapshotQuote(o.snapshot, d)])),
    requests: 0,
  });
  if (o.mode === 'snapshot') return fromSnapshot();
  if (!o.live) throw new Error(`--pricing ${o.mode} needs a live Price List client`);
  // auto with nothing configured stays offline: the chain would end by probing the instance metadata address.
  if (o.mode === 'auto' && configuredCredentialSource() === undefined) {
    return fromSnapshot(
      'no AWS credentials configured (no AWS_ACCESS_KEY_ID, AWS_PROFILE, ~/.aws files or container credentials; instance-metadata credentials are used with --pricing live only)',
    );
  }

  const live = await o.live();
  try {
    const creds = await live.credentials();
    if (!creds.ok) {
      if (o.mode === 'live') {
        throw new LivePricingError(
          `--pricing live needs AWS credentials and none resolved (${creds.reason}); set AWS_PROFILE or AWS_ACCESS_KEY_ID, or use --pricing snapshot`,
        );
      }
      return fromSnapshot(`no AWS credentials resolved (${creds.reason})`);
    }
    const quotes = await mapBounded(unique, o.concurrency ?? DEFAULT_CONCURRENCY, async (d) => {
      try {
        return await liveQuote(live, d);
      } catch (err) {
        if (!(err instanceof PriceListCallError)) throw err;
        if (o.mode === 'live') {
          throw new LivePricingError(`Pricing GetProducts failed: ${describeCause(err.cause)}`, err.cause, err.request);
        }
        return snapshotQuote(o.snapshot, d, `live price unavailable (${describeCause(err.cause)})`);
      }
    });
    return {
      requested: o.mode,
      used: 'live',
      quotes: new Map(unique.map((d, i) => [d.key, quotes[i]])),
      requests: live.requests,
    };
  } finally {
    live.destroy();
  }
}
