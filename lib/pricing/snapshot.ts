/**
 * The bundled price snapshot (`lib/pricing/snapshot/prices.json`): Price List items plus where and when each figure was
 * checked. Records carry only the attributes their public source showed, so they are matched leniently on absent
 * attributes but always on the usage type, which identifies a record whose SKU no public source gave.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PriceDimension } from './dimensions';
import { PriceListItem, Selection, fieldOf, isPriceListItem, matches, sameValue, selectPrice } from './price-list';

export const SNAPSHOT_PATH = join(__dirname, 'snapshot', 'prices.json');

export interface SnapshotSource {
  /** What shows the figure: an offer file extract, a public file with its path and commit, a pricing page, the API. */
  readonly shownIn: string;
  /** Where to read it, when it has a public address. */
  readonly url: string | null;
  /** The date of the data itself (the offer file's publication, the extract's own date), `YYYY-MM-DD`. */
  readonly dataDate: string;
  /** When the figure was last checked against its source, `YYYY-MM-DD`. */
  readonly checked: string;
  /** Only one source outside AWS's own API shows this figure. */
  readonly singleSource: boolean;
  readonly evidence?: string;
}

export type SnapshotRecord = PriceListItem & { readonly source: SnapshotSource };

export interface PriceSnapshot {
  readonly format: number;
  readonly currency: string;
  readonly note?: string;
  readonly records: readonly SnapshotRecord[];
}

/** Raised when the snapshot file cannot be read or is not in the expected shape. */
export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotError';
  }
}

export function parseSnapshot(text: string, where = 'price snapshot'): PriceSnapshot {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SnapshotError(`${where}: not JSON (${(err as Error).message})`);
  }
  const v = value as Partial<PriceSnapshot> | null;
  if (!v || typeof v !== 'object' || !Array.isArray(v.records)) {
    throw new SnapshotError(`${where}: expected an object with a "records" array`);
  }
  if (v.currency !== 'USD') throw new SnapshotError(`${where}: currency ${String(v.currency)}, expected USD`);
  const date = (d: unknown) => typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d);
  v.records.forEach((r: unknown, i) => {
    const s = (r as { source?: Partial<SnapshotSource> } | null)?.source;
    const valid =
      isPriceListItem(r) &&
      s &&
      typeof s.shownIn === 'string' &&
      (s.url === null || typeof s.url === 'string') &&
      date(s.dataDate) &&
      date(s.checked) &&
      typeof s.singleSource === 'boolean';
    if (!valid) {
      throw new SnapshotError(
        `${where}: record ${i} is not a Price List item with source {shownIn, url, dataDate, checked, singleSource}`,
      );
    }
  });
  return v as PriceSnapshot;
}

export function loadSnapshot(path = SNAPSHOT_PATH): PriceSnapshot {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SnapshotError(
      `cannot read the price snapshot ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  return parseSnapshot(text, path);
}

export type SnapshotSelection =
  | { readonly ok: true; readonly selection: Extract<Selection, { ok: true }>; readonly source: SnapshotSource }
  | { readonly ok: false; readonly reason: string };

/** The snapshot's one record for a dimension, or why there is none. */
export function selectFromSnapshot(snapshot: PriceSnapshot, dimension: PriceDimension): SnapshotSelection {
  if (dimension.usageType === undefined) {
    const region = dimension.filters.find((f) => f.field === 'regionCode')?.value ?? '?';
    return { ok: false, reason: `the kit does not know the usage-type prefix of region ${region}` };
  }
  const selection = selectPrice(snapshot.records, {
    serviceCode: dimension.serviceCode,
    filters: dimension.filters,
    usageType: dimension.usageType,
    mode: 'partial',
  });
  if (!selection.ok) {
    if (!selection.reason.startsWith('no SKU')) return { ok: false, reason: `snapshot: ${selection.reason}` };
    const what = `${dimension.serviceCode} ${dimension.usageType} in ${regionOf(dimension)}`;
    const near = snapshot.records.find((r) =>
      matches(r, { serviceCode: dimension.serviceCode, filters: [], usageType: dimension.usageType, mode: 'partial' }),
    );
    const differs =
      near &&
      dimension.filters.find((f) => {
        const v = fieldOf(near, f.field);
        return v !== undefined && !sameValue(v, f.value);
      });
    if (near && differs) {
      return {
        ok: false,
        reason: `the snapshot's only record for ${what} has ${differs.field}=${fieldOf(near, differs.field)}, not ${differs.value}`,
      };
    }
    return {
      ok: false,
      reason: `the snapshot has no price for ${what} (lib/pricing/snapshot/SOURCES.md lists the gaps)`,
    };
  }
  return { ok: true, selection, source: (selection.item as SnapshotRecord).source };
}

export function regionOf(dimension: PriceDimension): string {
  return dimension.filters.find((f) => f.field === 'regionCode')?.value ?? '?';
}
