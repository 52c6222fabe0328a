/**
 * The AWS Price List item shape (`GetProducts` answers and the bundled snapshot's records) and the selection of exactly
 * one OnDemand price for a price dimension. Zero or several candidates are never resolved by picking one: the caller
 * gets the reason instead.
 */
import { Decimal } from './decimal';

export interface PriceListDimension {
  readonly unit: string;
  readonly pricePerUnit: { readonly USD?: string };
  readonly description?: string;
  readonly beginRange?: string;
  readonly endRange?: string;
}

export interface PriceListTerm {
  readonly sku?: string;
  readonly offerTermCode?: string;
  readonly priceDimensions: Readonly<Record<string, PriceListDimension>>;
  readonly termAttributes?: Readonly<Record<string, string>>;
}

/** One product with its terms, as the Price List Query API returns it. */
export interface PriceListItem {
  readonly serviceCode: string;
  readonly product: {
    readonly productFamily?: string | null;
    readonly sku: string | null;
    readonly attributes: Readonly<Record<string, string>>;
  };
  readonly terms: {
    readonly OnDemand?: Readonly<Record<string, PriceListTerm>>;
    readonly Reserved?: Readonly<Record<string, PriceListTerm>>;
  };
  readonly version?: string;
  readonly publicationDate?: string;
}

/** An exact-value filter, as the API's `TERM_MATCH`: `productFamily`, or an attribute name such as `regionCode`. */
export interface TermFilter {
  readonly field: string;
  readonly value: string;
}

/** One price of a graduated (tiered) dimension: `usd` per unit from `begin` up to `end` units (`undefined`: no end). */
export interface PriceTier {
  readonly begin: Decimal;
  readonly end?: Decimal;
  readonly usd: Decimal;
}

export interface SelectedPrice {
  readonly sku: string | null;
  readonly usageType: string | null;
  readonly unit: string;
  /** At least one; sorted by `begin`. A flat price has one tier from 0 with no end. */
  readonly tiers: readonly PriceTier[];
  readonly description: string | null;
}

export type Selection =
  | { readonly ok: true; readonly price: SelectedPrice; readonly item: PriceListItem }
  | { readonly ok: false; readonly reason: string };

/** The value of a filter field on an item: `productFamily` and `sku` are product fields, the rest attributes. */
export function fieldOf(item: PriceListItem, field: string): string | undefined {
  if (field === 'productFamily') return item.product.productFamily ?? undefined;
  if (field === 'sku') return item.product.sku ?? undefined;
  if (field === 'servicecode') return item.product.attributes.servicecode ?? item.serviceCode;
  return item.product.attributes[field];
}

/** The API compares filter values without regard to case; so does the kit. */
export function sameValue(a: string, b: string): boolean {
  return a === b || a.toLowerCase() === b.toLowerCase();
}

export function describeFilters(serviceCode: string, filters: readonly TermFilter[]): string {
  return [`servicecode=${serviceCode}`, ...filters.map((f) => `${f.field}=${f.value}`)].join(', ');
}

/** Why an item's OnDemand price cannot be used, or its price. */
function onDemandPrice(item: PriceListItem): SelectedPrice | string {
  const terms = Object.values(item.terms.OnDemand ?? {});
  const sku = item.product.sku;
  const name = sku ?? item.product.attributes.usagetype ?? 'item';
  if (terms.length === 0) return `${name} has no OnDemand term`;
  if (terms.length > 1) return `${name} has ${terms.length} OnDemand terms`;
  const dims = Object.values(terms[0].priceDimensions);
  if (dims.length === 0) return `${name} has no OnDemand price dimension`;
  const units = [...new Set(dims.map((d) => d.unit))];
  if (units.length > 1) return `${name} mixes units ${units.join(', ')} in one OnDemand term`;
  const tiers: PriceTier[] = [];
  for (const d of dims) {
    const usd = d.pricePerUnit.USD;
    if (usd === undefined) return `${name} has no USD price`;
    const end = d.endRange === undefined || /^inf$/i.test(d.endRange) ? undefined : Decimal.parse(d.endRange);
    tiers.push({ begin: Decimal.parse(d.beginRange ?? '0'), end, usd: Decimal.parse(usd) });
  }
  tiers.sort((a, b) => a.begin.compare(b.begin));
  if (!tiers[0].begin.isZero()) return `${name}'s OnDemand tiers do not start at 0`;
  for (let i = 1; i < tiers.length; i++) {
    const prev = tiers[i - 1].end;
    if (prev === undefined || prev.compare(tiers[i].begin) !== 0) return `${name}'s OnDemand tiers are not contiguous`;
  }
  const description = dims.length === 1 ? (dims[0].description ?? null) : null;
  return { sku, usageType: item.product.attributes.usagetype ?? null, unit: units[0], tiers, description };
}

export interface MatchOptions {
  readonly serviceCode: string;
  readonly filters: readonly TermFilter[];
  /**
   * `strict` (API answers): every filter field must be present and equal. `partial` (snapshot records, which carry
   * only the attributes their public source showed): a field that is absent does not exclude the record, one that
   * differs does.
   */
  readonly mode: 'strict' | 'partial';
  /** When set, the item's `usagetype` must be present and equal (the snapshot's identity for records without SKU). */
  readonly usageType?: string;
}

export function matches(item: PriceListItem, o: MatchOptions): boolean {
  if (!sameValue(item.serviceCode, o.serviceCode)) return false;
  if (o.usageType !== undefined) {
    const u = item.product.attributes.usagetype;
    if (u === undefined || !sameValue(u, o.usageType)) return false;
  }
  return o.filters.every((f) => {
    const v = fieldOf(item, f.field);
    if (v === undefined) return o.mode === 'partial';
    return sameValue(v, f.value);
  });
}

/**
 * The one OnDemand price among `items` that matches: never the first of several, never a default. Reserved terms are
 * ignored; an item with no usable OnDemand term does not count as a match.
 */
export function selectPrice(items: readonly PriceListItem[], o: MatchOptions): Selection {
  const candidates = items.filter((i) => matches(i, o));
  const priced: { item: PriceListItem; price: SelectedPrice }[] = [];
  const unusable: string[] = [];
  for (const item of candidates) {
    const p = onDemandPrice(item);
    if (typeof p === 'string') unusable.push(p);
    else priced.push({ item, price: p });
  }
  const what = `${describeFilters(o.serviceCode, o.filters)}${o.usageType ? `, usagetype=${o.usageType}` : ''}`;
  if (priced.length === 1) return { ok: true, ...priced[0] };
  if (priced.length === 0) {
    const extra = unusable.length > 0 ? ` (${unusable.join('; ')})` : '';
    return { ok: false, reason: `no SKU matches ${what}${extra}` };
  }
  const skus = priced.map((p) => p.price.sku ?? p.price.usageType ?? '?').sort();
  return { ok: false, reason: `${priced.length} SKUs match ${what} (${skus.join(', ')}); refusing to pick one` };
}

/** Cost of `quantity` units over graduated tiers, exact (not rounded). */
export function tieredCost(quantity: Decimal, tiers: readonly PriceTier[]): Decimal {
  let total = Decimal.ZERO;
  for (const t of tiers) {
    if (quantity.compare(t.begin) <= 0) break;
    const top = t.end === undefined || quantity.compare(t.end) < 0 ? quantity : t.end;
    total = total.plus(top.minus(t.begin).times(t.usd));
  }
  return total;
}

/**
 * Parses one `PriceList` entry of a `GetProducts` answer: JSON text, which the SDK hands over as a string or as a
 * `String` object (its lazy JSON string); an already parsed object is accepted too.
 */
export function parsePriceListEntry(entry: unknown): PriceListItem {
  const text = typeof entry === 'string' || Object.prototype.toString.call(entry) === '[object String]';
  const value: unknown = text ? JSON.parse(String(entry)) : entry;
  if (!isPriceListItem(value)) throw new Error('a PriceList entry is not a Price List product with terms');
  return value;
}

export function isPriceListItem(value: unknown): value is PriceListItem {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const product = v.product as Record<string, unknown> | undefined;
  return (
    typeof v.serviceCode === 'string' &&
    typeof product === 'object' &&
    product !== null &&
    typeof product.attributes === 'object' &&
    product.attributes !== null &&
    typeof v.terms === 'object' &&
    v.terms !== null
  );
}
