import { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalServer, startLocalServer } from './http';
import type { PriceListItem } from '../../../lib/pricing/price-list';

/**
 * The AWS Price List Query API in memory, speaking its JSON 1.1 protocol (`X-Amz-Target:
 * AWSPriceListService.GetProducts`) for a real `@aws-sdk/client-pricing` client pointed at it with
 * `AWS_ENDPOINT_URL_PRICING`. `TERM_MATCH` filters compare values without regard to case, as the API does; answers
 * are paged (`MaxResults`, `NextToken`) and each `PriceList` entry is JSON text.
 */

export interface RecordedRequest {
  readonly target: string;
  readonly serviceCode: string;
  readonly filters: readonly { Type: string; Field: string; Value: string }[];
  readonly nextToken?: string;
  readonly maxResults?: number;
}

export type PricingFault = 'Throttling' | 'AccessDenied' | 'InternalError';

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** A snapshot record of the kit, as the Price List would return it (no `source`). */
export function snapshotItems(): PriceListItem[] {
  const snapshot = JSON.parse(
    readFileSync(join(__dirname, '..', '..', '..', 'lib', 'pricing', 'snapshot', 'prices.json'), 'utf8'),
  ) as { records: (PriceListItem & { source?: unknown })[] };
  return snapshot.records.map(({ source: _source, ...item }) => item);
}

/** A copy of `item` with attributes changed (and a new SKU, so it is another product). */
export function variant(item: PriceListItem, sku: string, attributes: Record<string, string>): PriceListItem {
  const term = Object.values(item.terms.OnDemand ?? {})[0];
  const dim = Object.values(term.priceDimensions)[0];
  return {
    ...item,
    product: { ...item.product, sku, attributes: { ...item.product.attributes, ...attributes } },
    terms: {
      OnDemand: {
        [`${sku}.JRTCKXETXF`]: {
          sku,
          offerTermCode: 'JRTCKXETXF',
          priceDimensions: { [`${sku}.JRTCKXETXF.6YS6EN2CT7`]: { ...dim, pricePerUnit: { USD: '9.9990000000' } } },
        },
      },
    },
  };
}

/** A copy of `item` whose only terms are Reserved ones (a product that must never be priced on demand). */
export function reservedOnly(item: PriceListItem, sku: string): PriceListItem {
  const term = Object.values(item.terms.OnDemand ?? {})[0];
  return {
    ...item,
    product: { ...item.product, sku },
    terms: {
      Reserved: {
        [`${sku}.HU7G6KETJZ`]: {
          ...term,
          sku,
          offerTermCode: 'HU7G6KETJZ',
          termAttributes: { LeaseContractLength: '1yr', OfferingClass: 'standard', PurchaseOption: 'Partial Upfront' },
        },
      },
    },
  };
}

function fieldOf(item: PriceListItem, field: string): string | undefined {
  if (field === 'productFamily') return item.product.productFamily ?? undefined;
  if (field === 'sku') return item.product.sku ?? undefined;
  return item.product.attributes[field];
}

export class FakePricing {
  readonly requests: RecordedRequest[] = [];
  /** Products per page at most, whatever MaxResults asks (to force pagination). */
  pageSize = 100;
  private catalog: PriceListItem[] = [];
  private faults: PricingFault[] = [];
  private persistentFault?: PricingFault;
  private server?: LocalServer;

  constructor(items: readonly PriceListItem[] = []) {
    this.catalog = [...items];
  }

  /** Starts on 127.0.0.1 and an ephemeral port; returns the URL for `AWS_ENDPOINT_URL_PRICING`. */
  async start(): Promise<string> {
    this.server = await startLocalServer((req, body, res) => this.handle(req, body, res));
    return this.server.url;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  add(...items: PriceListItem[]): void {
    this.catalog.push(...items);
  }

  /** The next `times` requests fail with `fault`; then requests succeed again. */
  failNext(fault: PricingFault, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push(fault);
  }

  /** Every request fails with `fault` until {@link reset}. */
  failAlways(fault: PricingFault): void {
    this.persistentFault = fault;
  }

  reset(): void {
    this.requests.length = 0;
    this.faults = [];
    this.persistentFault = undefined;
  }

  private handle(req: IncomingMessage, body: string, res: ServerResponse): void {
    const target = String(req.headers['x-amz-target'] ?? '');
    try {
      if (target !== 'AWSPriceListService.GetProducts') {
        throw new ApiError('UnknownOperationException', `The fake does not implement ${target}`);
      }
      if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256')) {
        throw new ApiError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
      }
      const input = JSON.parse(body || '{}') as {
        ServiceCode?: string;
        Filters?: { Type: string; Field: string; Value: string }[];
        NextToken?: string;
        MaxResults?: number;
        FormatVersion?: string;
      };
      this.requests.push({
        target,
        serviceCode: String(input.ServiceCode),
        filters: input.Filters ?? [],
        nextToken: input.NextToken,
        maxResults: input.MaxResults,
      });
      const fault = this.faults.shift() ?? this.persistentFault;
      if (fault === 'Throttling') throw new ApiError('ThrottlingException', 'Rate exceeded');
      if (fault === 'AccessDenied') {
        throw new ApiError(
          'AccessDeniedException',
          'User: arn:aws:iam::123456789012:user/tester is not authorized to perform: pricing:GetProducts because no identity-based policy allows the pricing:GetProducts action',
        );
      }
      if (fault === 'InternalError') throw new ApiError('InternalErrorException', 'internal error', 500);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(this.getProducts(input)));
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError('InternalErrorException', String(err), 500);
      res.writeHead(e.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': e.type });
      res.end(JSON.stringify({ __type: e.type, Message: e.message }));
    }
  }

  private getProducts(input: {
    ServiceCode?: string;
    Filters?: { Type: string; Field: string; Value: string }[];
    NextToken?: string;
    MaxResults?: number;
  }): object {
    if (!input.ServiceCode) throw new ApiError('InvalidParameterException', 'ServiceCode is required');
    const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
    for (const f of input.Filters ?? []) {
      if (f.Type !== 'TERM_MATCH') throw new ApiError('InvalidParameterException', `filter type ${f.Type}`);
    }
    const matching = this.catalog.filter(
      (item) =>
        same(item.serviceCode, input.ServiceCode!) &&
        (input.Filters ?? []).every((f) => {
          const v = fieldOf(item, f.Field);
          return v !== undefined && same(v, f.Value);
        }),
    );
    let offset = 0;
    if (input.NextToken) {
      const decoded = /^page:(\d+)$/.exec(Buffer.from(input.NextToken, 'base64').toString('utf8'));
      if (!decoded) throw new ApiError('InvalidNextTokenException', 'The NextToken is invalid');
      offset = Number(decoded[1]);
    }
    const size = Math.min(input.MaxResults ?? 100, this.pageSize);
    const page = matching.slice(offset, offset + size);
    const next = offset + size < matching.length ? Buffer.from(`page:${offset + size}`).toString('base64') : undefined;
    return {
      FormatVersion: 'aws_v1',
      PriceList: page.map((item) => JSON.stringify(item)),
      ...(next ? { NextToken: next } : {}),
    };
  }
}
