/**
 * `npm run pricing:snapshot`: asks the live Price List for every record of the snapshot again, by the attributes the
 * record carries, and replaces it with the API's own item (SKU included) when exactly one product matches. A record
 * the API does not pin to one product keeps its previous figure and source, and is reported.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { PriceDimension, ServiceCode } from './dimensions';
import type { LivePriceList } from './live';
import { PriceListCallError } from './live';
import { PriceListItem, TermFilter, fieldOf, selectPrice } from './price-list';
import type { PriceSnapshot, SnapshotRecord } from './snapshot';
import { DEFAULT_CONCURRENCY, LivePricingError, mapBounded } from './quotes';

export const LIVE_SOURCE_URL = 'AWS Price List Query API';

/** Attributes that identify a record, in the order they are sent. */
const IDENTIFYING = [
  'regionCode',
  'productFamily',
  'usagetype',
  'instanceType',
  'databaseEngine',
  'deploymentOption',
  'licenseModel',
  'volumeType',
] as const;

export function recordDimension(record: SnapshotRecord): PriceDimension {
  const filters: TermFilter[] = [];
  for (const field of IDENTIFYING) {
    const value = fieldOf(record, field);
    if (value !== undefined && value !== '') filters.push({ field, value });
  }
  const key = [record.serviceCode, ...filters.map((f) => `${f.field}=${f.value}`)].join('|');
  const unit = Object.values(Object.values(record.terms.OnDemand ?? {})[0]?.priceDimensions ?? {})[0]?.unit ?? '';
  return {
    key,
    serviceCode: record.serviceCode as ServiceCode,
    filters,
    usageType: record.product.attributes.usagetype,
    unit,
  };
}

export interface KeptRecord {
  readonly usageType: string;
  readonly regionCode: string;
  readonly reason: string;
}

export interface RefreshOutcome {
  readonly snapshot: PriceSnapshot;
  readonly refreshed: number;
  readonly kept: readonly KeptRecord[];
  readonly requests: number;
}

/** Refreshes every record; throws {@link LivePricingError} when credentials are missing or a request fails. */
export async function refreshSnapshot(
  current: PriceSnapshot,
  live: LivePriceList,
  checked: string,
): Promise<RefreshOutcome> {
  const creds = await live.credentials();
  if (!creds.ok) {
    throw new LivePricingError(
      `AWS credentials are needed and none resolved (${creds.reason}); set AWS_PROFILE or AWS_ACCESS_KEY_ID`,
    );
  }
  const answers = await mapBounded(current.records, DEFAULT_CONCURRENCY, async (record) => {
    const dimension = recordDimension(record);
    try {
      return { record, dimension, items: await live.products(dimension) };
    } catch (err) {
      if (err instanceof PriceListCallError) {
        throw new LivePricingError(`Pricing GetProducts failed (${err.request})`, err.cause, err.request);
      }
      throw err;
    }
  });
  const records: SnapshotRecord[] = [];
  const kept: KeptRecord[] = [];
  for (const { record, dimension, items } of answers) {
    const selection = selectPrice(items, {
      serviceCode: dimension.serviceCode,
      filters: dimension.filters,
      mode: 'strict',
    });
    if (!selection.ok) {
      records.push(record);
      kept.push({
        usageType: record.product.attributes.usagetype ?? '?',
        regionCode: record.product.attributes.regionCode ?? '?',
        reason: selection.reason,
      });
      continue;
    }
    records.push({
      ...selection.item,
      source: {
        shownIn: 'AWS Price List Query API (GetProducts)',
        url: LIVE_SOURCE_URL,
        dataDate: publicationDate(selection.item) ?? checked,
        checked,
        singleSource: false,
      },
    });
  }
  return {
    snapshot: { ...current, records },
    refreshed: records.length - kept.length,
    kept,
    requests: live.requests,
  };
}

/** The offer's publication date, else the effective date of its on-demand term, when the API gave one. */
function publicationDate(item: PriceListItem): string | undefined {
  if (item.publicationDate && /^\d{4}-\d{2}-\d{2}/.test(item.publicationDate)) return item.publicationDate.slice(0, 10);
  for (const term of Object.values(item.terms?.OnDemand ?? {})) {
    const date = (term as { effectiveDate?: unknown }).effectiveDate;
    if (typeof date === 'string' && /^\d{4}-\d{2}-\d{2}/.test(date)) return date.slice(0, 10);
  }
  return undefined;
}

/** Writes the snapshot next to `path` under a temporary name, then renames it over `path`. */
export function writeSnapshot(path: string, snapshot: PriceSnapshot): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(temp, `${JSON.stringify(snapshot, null, 2)}\n`);
  renameSync(temp, path);
}
