/**
 * The AWS Price List Query API (`GetProducts`) through the real SDK client and its standard configuration: credentials
 * from the default provider chain, `AWS_ENDPOINT_URL_PRICING`, `AWS_MAX_ATTEMPTS`, and retries (throttling included)
 * by the SDK's retry strategy. The API lives in us-east-1, eu-central-1 and ap-south-1: the configured region is used
 * when it is one of them, us-east-1 otherwise.
 */
import type { PricingClient } from '@aws-sdk/client-pricing';
import { PriceCache } from './cache';
import type { PriceDimension } from './dimensions';
import { PriceListItem, describeFilters, parsePriceListEntry } from './price-list';

export const PRICING_API_REGIONS = ['us-east-1', 'eu-central-1', 'ap-south-1'] as const;
const DEFAULT_PRICING_REGION = 'us-east-1';
/** Attempts per request when `AWS_MAX_ATTEMPTS` is not set (the SDK's default is 3). */
export const DEFAULT_MAX_ATTEMPTS = 5;
const PAGE_SIZE = 100;

export interface LivePriceListOptions {
  /** Attempts per request, retries included. @default AWS_MAX_ATTEMPTS, else 5 */
  readonly maxAttempts?: number;
  /** Disk cache of answers; without it every call goes to the API. */
  readonly cache?: PriceCache;
  /** Ignore cached answers (they are still refreshed). */
  readonly refresh?: boolean;
}

/** The failure of one `GetProducts` request after the SDK's retries: the SDK error and what was asked. */
export class PriceListCallError extends Error {
  constructor(
    readonly cause: unknown,
    readonly request: string,
  ) {
    super(`Pricing GetProducts (${request}) failed: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'PriceListCallError';
  }
}

export class LivePriceList {
  /** `GetProducts` requests sent (pages included), not answered from the cache. */
  requests = 0;

  private constructor(
    private readonly client: PricingClient,
    readonly region: string,
    private readonly options: LivePriceListOptions,
  ) {}

  static async create(options: LivePriceListOptions = {}): Promise<LivePriceList> {
    const { PricingClient } = await import('@aws-sdk/client-pricing');
    const attempts =
      process.env.AWS_MAX_ATTEMPTS === undefined ? (options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS) : options.maxAttempts;
    const settings = attempts === undefined ? {} : { maxAttempts: attempts };
    const probe = new PricingClient(settings);
    let configured: string | undefined;
    try {
      configured = await probe.config.region();
    } catch {
      configured = undefined;
    } finally {
      probe.destroy();
    }
    const region =
      configured !== undefined && (PRICING_API_REGIONS as readonly string[]).includes(configured)
        ? configured
        : DEFAULT_PRICING_REGION;
    return new LivePriceList(new PricingClient({ ...settings, region }), region, options);
  }

  /** Whether the default credential chain yields credentials; the reason when it does not. */
  async credentials(): Promise<{ ok: true } | { ok: false; reason: string }> {
    try {
      const c = await this.client.config.credentials();
      return c.accessKeyId ? { ok: true } : { ok: false, reason: 'the credential chain returned no access key' };
    } catch (err) {
      return { ok: false, reason: ((err as Error).message ?? String(err)).split('\n')[0] };
    }
  }

  /** Every product matching the dimension's filters, all pages, from the cache when fresh. */
  async products(dimension: PriceDimension): Promise<readonly PriceListItem[]> {
    const cacheKey = `${this.region}|${dimension.serviceCode}|${dimension.filters.map((f) => `${f.field}=${f.value}`).join('|')}`;
    const cache = this.options.cache;
    if (cache && !this.options.refresh) {
      const hit = cache.get(cacheKey);
      if (hit) return hit;
    }
    const { GetProductsCommand } = await import('@aws-sdk/client-pricing');
    const items: PriceListItem[] = [];
    let nextToken: string | undefined;
    do {
      this.requests++;
      let answer;
      try {
        answer = await this.client.send(
          new GetProductsCommand({
            ServiceCode: dimension.serviceCode,
            Filters: dimension.filters.map((f) => ({ Type: 'TERM_MATCH', Field: f.field, Value: f.value })),
            FormatVersion: 'aws_v1',
            MaxResults: PAGE_SIZE,
            NextToken: nextToken,
          }),
        );
      } catch (err) {
        throw new PriceListCallError(err, describeFilters(dimension.serviceCode, dimension.filters));
      }
      for (const entry of (answer.PriceList ?? []) as unknown[]) items.push(parsePriceListEntry(entry));
      nextToken = answer.NextToken || undefined;
    } while (nextToken !== undefined);
    cache?.set(cacheKey, items);
    return items;
  }

  destroy(): void {
    this.client.destroy();
  }
}
