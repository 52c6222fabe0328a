import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dim from '../../../lib/pricing/dimensions';
import { LivePriceList } from '../../../lib/pricing/live';
import { PricingMode } from '../../../lib/pricing/quotes';
import { describeReportFailure } from '../../../reports/errors';
import { reportFromSynthesis, synthesizeKit, SynthesizedEnvironment } from '../../../reports/generate';
import { DUMMY_AWS_ENV } from '../../support/fakes/http';
import { FakePricing, snapshotItems, variant } from '../../support/fakes/pricing';

/** Unpriced lines whose price is missing, not the resources the cost model does not price yet (coverage.ts). */
const unpricedByPrice = (report: {
  model: { environments: readonly { unpriced: readonly { category: string }[] }[] };
}) =>
  report.model.environments.flatMap((e) => e.unpriced).filter((u) => !['logs', 'lambda', 'other'].includes(u.category))
    .length;

/**
 * The live path with the real @aws-sdk/client-pricing client, dummy credentials and AWS_ENDPOINT_URL_PRICING pointing
 * at a Price List fake on 127.0.0.1. The fake holds the snapshot's items (SKUs included) and decoys.
 */

const items = snapshotItems();
const m7gMultiAz = items.find((i) => i.product.sku === 'Z8HB5KU2V54F7ATT')!;
const proxyUsE1 = items.find((i) => i.product.sku === 'AHVT2C6WP2BB5BXQ')!;
const decoys = [
  variant(m7gMultiAz, 'DECOYREADABLE001', { deploymentOption: 'Multi-AZ (readable standbys)' }),
  variant(m7gMultiAz, 'DECOYAURORAPG001', { databaseEngine: 'Aurora PostgreSQL' }),
  variant(m7gMultiAz, 'DECOYBYOL0000001', { licenseModel: 'Bring your own license' }),
  variant(m7gMultiAz, 'DECOYOUTPOSTS001', { locationType: 'AWS Outposts' }),
  variant(proxyUsE1, 'DECOYPROXYMYSQL1', { databaseEngine: 'MySQL' }),
];

const ENV_KEYS = [
  ...Object.keys(DUMMY_AWS_ENV),
  'AWS_ENDPOINT_URL_PRICING',
  'AWS_MAX_ATTEMPTS',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
];
const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));

let fake: FakePricing;
let endpoint: string;
let envs: SynthesizedEnvironment[];
let distinct: number;

function setCredentials(on: boolean) {
  for (const [k, v] of Object.entries(DUMMY_AWS_ENV)) {
    if (on || k === 'AWS_REGION' || k === 'AWS_EC2_METADATA_DISABLED') process.env[k] = v;
    else delete process.env[k];
  }
}

/** A 127.0.0.1 port with nothing listening. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const run = (pricing: PricingMode, extra: Parameters<typeof reportFromSynthesis>[1] = {}) =>
  reportFromSynthesis(envs, {
    pricing,
    cacheDir: mkdtempSync(join(tmpdir(), 'spendsense-price-cache-')),
    maxAttempts: 2,
    ...extra,
  });

beforeAll(async () => {
  const home = mkdtempSync(join(tmpdir(), 'spendsense-aws-home-'));
  process.env.AWS_CONFIG_FILE = join(home, 'config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(home, 'credentials');
  delete process.env.AWS_MAX_ATTEMPTS;
  setCredentials(true);
  fake = new FakePricing([...items, ...decoys]);
  endpoint = await fake.start();
  process.env.AWS_ENDPOINT_URL_PRICING = endpoint;
  envs = synthesizeKit();
  const snapshotRun = await reportFromSynthesis(envs, { pricing: 'snapshot' });
  distinct = new Set(
    snapshotRun.model.environments.flatMap((e) => e.lineItems.map((i) => `${i.usageType}|${i.description}`)),
  ).size;
});

afterAll(async () => {
  await fake.stop();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

beforeEach(() => {
  fake.reset();
  fake.pageSize = 100;
  setCredentials(true);
  process.env.AWS_ENDPOINT_URL_PRICING = endpoint;
});

describe('live prices from the Price List API', () => {
  test('one GetProducts request per distinct dimension, shared across environments; every line names its SKU', async () => {
    const report = await run('live');
    const dimensions = new Set(fake.requests.map((r) => JSON.stringify([r.serviceCode, r.filters])));
    expect(fake.requests).toHaveLength(dimensions.size);
    expect(report.pricing.requests).toBe(fake.requests.length);
    // 3 instances, 2 storage kinds, backup, proxy, secrets, secret API calls, KMS keys, KMS requests, endpoint hours,
    // endpoint data, T4g CPU credits, log ingestion, vended log ingestion, log storage.
    expect(dimensions.size).toBe(17);
    expect(distinct).toBeGreaterThan(dimensions.size);
    expect(report.model.pricing.source).toBe('live');
    const lines = report.model.environments.flatMap((e) => e.lineItems);
    expect(lines.every((l) => l.source.kind === 'live' && l.sku !== null)).toBe(true);
    const prod = report.model.environments.find((e) => e.name === 'prod')!;
    expect(prod.lineItems.find((l) => l.category === 'instance')?.sku).toBe('Z8HB5KU2V54F7ATT');
    expect(prod.monthlyCostUsd.toString()).toBe('331.53');
    expect(report.files.find((f) => f.name === 'prod.md')?.content).toMatch(/Prices: live, from the AWS Price List/);
    // Filters are TERM_MATCH on the dimension's attributes, OnDemand selection is the client's.
    const instance = fake.requests.find((r) => r.filters.some((f) => f.Value === 'db.m7g.large'))!;
    expect(instance.filters).toEqual(
      expect.arrayContaining([
        { Type: 'TERM_MATCH', Field: 'databaseEngine', Value: 'PostgreSQL' },
        { Type: 'TERM_MATCH', Field: 'deploymentOption', Value: 'Multi-AZ' },
        { Type: 'TERM_MATCH', Field: 'licenseModel', Value: 'No license required' },
      ]),
    );
  });

  test('a second run within the TTL makes no request; --refresh and an expired TTL ask again', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'spendsense-price-cache-'));
    await run('live', { cacheDir });
    const first = fake.requests.length;
    fake.reset();
    const second = await run('live', { cacheDir });
    expect(fake.requests).toHaveLength(0);
    expect(second.pricing.requests).toBe(0);
    expect(second.model.environments.find((e) => e.name === 'prod')?.monthlyCostUsd.toString()).toBe('331.53');
    await run('live', { cacheDir, refresh: true });
    expect(fake.requests).toHaveLength(first);
    fake.reset();
    await run('live', { cacheDir, cacheTtlMs: 0 });
    expect(fake.requests).toHaveLength(first);
  });

  test('pages are followed with NextToken, and two matching SKUs leave the line unpriced', async () => {
    fake.pageSize = 1;
    fake.add(variant(m7gMultiAz, 'TWINSKU000000001', {}));
    try {
      const report = await run('live');
      const tokens = fake.requests.filter((r) => r.nextToken !== undefined);
      expect(tokens).toHaveLength(1);
      expect(fake.requests).toHaveLength(18);
      const prod = report.model.environments.find((e) => e.name === 'prod')!;
      const unpriced = prod.unpriced.find((u) => u.category === 'instance');
      expect(unpriced?.reason).toMatch(/Price List: 2 SKUs match .*\(TWINSKU000000001, Z8HB5KU2V54F7ATT\)/);
      // The instance line, beside the RDSOSMetrics storage and the rotation Lambda the model does not price.
      expect(report.files.find((f) => f.name === 'prod.md')?.content).toMatch(/> \*\*3 lines unpriced\*\*/);
      expect(prod.lineItems.some((l) => l.category === 'instance')).toBe(false);
    } finally {
      fake = await restart([...items, ...decoys]);
    }
  });

  test('a dimension with no product is unpriced with the filters that found nothing', async () => {
    fake = await restart([...items.filter((i) => i !== proxyUsE1), ...decoys]);
    try {
      const report = await run('live');
      const prod = report.model.environments.find((e) => e.name === 'prod')!;
      expect(prod.unpriced.find((u) => u.category === 'proxy')?.reason).toMatch(
        /^Price List: no SKU matches servicecode=AmazonRDS, regionCode=us-east-1, databaseEngine=PostgreSQL, usagetype=USE1-RDS:ProxyUsage/,
      );
      expect(unpricedByPrice(report)).toBe(1);
    } finally {
      fake = await restart([...items, ...decoys]);
    }
  });

  test('throttling is retried by the SDK and then priced', async () => {
    fake.failNext('Throttling', 1);
    const report = await run('live', { maxAttempts: 3, concurrency: 1 });
    expect(fake.requests).toHaveLength(18);
    expect(unpricedByPrice(report)).toBe(0);
    expect(report.model.pricing.fellBack).toBe(0);
  });
});

async function restart(catalog: ConstructorParameters<typeof FakePricing>[0]): Promise<FakePricing> {
  await fake.stop();
  const next = new FakePricing(catalog);
  endpoint = await next.start();
  process.env.AWS_ENDPOINT_URL_PRICING = endpoint;
  return next;
}

describe.each<[string, (f: FakePricing) => void | Promise<void>, number, RegExp]>([
  ['throttling after the SDK retries', (f) => f.failAlways('Throttling'), 6, /throttled by AWS after 2 attempts/],
  [
    'access denied',
    (f) => f.failAlways('AccessDenied'),
    4,
    /access denied .*not authorized to perform: pricing:GetProducts.*grant pricing:GetProducts/,
  ],
  [
    'no network',
    async () => {
      process.env.AWS_ENDPOINT_URL_PRICING = `http://127.0.0.1:${await closedPort()}`;
    },
    7,
    /cannot reach the Pricing endpoint \(ECONNREFUSED\)/,
  ],
])('%s', (_name, fault, exitCode, message) => {
  test('--pricing live fails with its exit code and one line, writing nothing', async () => {
    await fault(fake);
    const err = await run('live').then(
      () => undefined,
      (e: unknown) => e,
    );
    const failure = describeReportFailure(err);
    expect(failure.exitCode).toBe(exitCode);
    expect(failure.lines).toHaveLength(1);
    expect(failure.lines[0]).toMatch(message);
    expect(failure.lines[0]).toMatch(/--pricing live; no fallback/);
  });

  test('--pricing auto falls back to the snapshot line by line, and says so', async () => {
    await fault(fake);
    const report = await run('auto');
    const lines = report.model.environments.flatMap((e) => e.lineItems);
    expect(lines.length).toBeGreaterThan(0);
    expect(
      lines.every((l) => l.source.kind === 'snapshot' && /^live price unavailable/.test(l.fallbackReason ?? '')),
    ).toBe(true);
    expect(report.model.pricing.fellBack).toBe(lines.length);
    const prod = report.files.find((f) => f.name === 'prod.md')!.content;
    expect(prod).toMatch(/> \*\*17 lines fell back to the snapshot\*\* because the live Price List request failed/);
    expect(prod).toMatch(/snapshot \(checked 2026-11-25\) after live price unavailable/);
    expect(report.model.environments.find((e) => e.name === 'prod')?.monthlyCostUsd.toString()).toBe('331.53');
    // Never "live" when no line was.
    expect(report.model.pricing.source).toBe('snapshot');
    const summary = report.files.find((f) => f.name === 'SUMMARY.md')!.content;
    expect(summary).not.toMatch(/Prices: live/);
    expect(summary).toMatch(
      /the live Price List API was tried and failed for every line \(\d+ lines; each line says why\)/,
    );
  });

  test('--pricing snapshot never calls AWS', async () => {
    await fault(fake);
    const report = await run('snapshot');
    expect(fake.requests).toHaveLength(0);
    expect(report.pricing.requests).toBe(0);
    expect(report.model.pricing.fellBack).toBe(0);
  });
});

describe('the Pricing API region', () => {
  test.each([
    ['us-east-1', 'us-east-1'],
    ['eu-central-1', 'eu-central-1'],
    ['ap-south-1', 'ap-south-1'],
    ['eu-west-1', 'us-east-1'],
  ])('configured %s: asks %s', async (configured, expected) => {
    process.env.AWS_REGION = configured;
    const live = await LivePriceList.create();
    try {
      expect(live.region).toBe(expected);
      // AWS_ENDPOINT_URL_PRICING still wins over the region's endpoint.
      await live.products(dim.kmsKeys('us-east-1'));
      expect(fake.requests).toHaveLength(1);
    } finally {
      live.destroy();
    }
  });
});

describe('without credentials', () => {
  test('--pricing auto uses the snapshot and says why; no request is sent', async () => {
    setCredentials(false);
    const report = await run('auto');
    expect(fake.requests).toHaveLength(0);
    expect(report.pricing.used).toBe('snapshot');
    expect(report.pricing.note).toMatch(/^no AWS credentials (configured|resolved)/);
    expect(report.model.pricing.source).toBe('snapshot');
  });

  test('--pricing live exits 3 with one line', async () => {
    setCredentials(false);
    const err = await run('live').then(
      () => undefined,
      (e: unknown) => e,
    );
    const failure = describeReportFailure(err);
    expect(failure.exitCode).toBe(3);
    expect(failure.lines).toEqual([
      expect.stringMatching(/^report: --pricing live needs AWS credentials and none resolved \(.+\); set AWS_PROFILE/),
    ]);
    expect(fake.requests).toHaveLength(0);
  });
});
