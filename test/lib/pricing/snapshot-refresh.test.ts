import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LivePriceList } from '../../../lib/pricing/live';
import type { PriceListItem } from '../../../lib/pricing/price-list';
import { loadSnapshot, parseSnapshot, SNAPSHOT_PATH } from '../../../lib/pricing/snapshot';
import { LIVE_SOURCE_URL, refreshSnapshot, writeSnapshot } from '../../../lib/pricing/snapshot-refresh';
import { bundledCommand } from '../../support/bundle';
import { cleanEnv, ROOT } from '../../support/cli';
import { DUMMY_AWS_ENV } from '../../support/fakes/http';
import { FakePricing, snapshotItems } from '../../support/fakes/pricing';

/**
 * The Price List as the live API would answer for the snapshot's records: the same items, each with a SKU (the API
 * always has one; the fake makes up a clearly fake one where no public source gave it).
 */
function liveCatalog(): PriceListItem[] {
  return snapshotItems().map((item, i) =>
    item.product.sku !== null
      ? item
      : { ...item, product: { ...item.product, sku: `FAKESKU${String(i).padStart(9, '0')}` } },
  );
}

const hash = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const committedHash = hash(SNAPSHOT_PATH);
const awsHome = mkdtempSync(join(tmpdir(), 'spendsense-aws-home-'));
let fake: FakePricing;
let endpoint: string;
const saved = { ...process.env };

beforeAll(async () => {
  fake = new FakePricing(liveCatalog());
  endpoint = await fake.start();
  Object.assign(process.env, DUMMY_AWS_ENV, {
    AWS_ENDPOINT_URL_PRICING: endpoint,
    AWS_CONFIG_FILE: join(awsHome, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(awsHome, 'credentials'),
  });
});

afterAll(async () => {
  await fake.stop();
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
  // Tests never touch the committed snapshot.
  expect(hash(SNAPSHOT_PATH)).toBe(committedHash);
});

beforeEach(() => fake.reset());

test('every record is asked again by its own attributes and replaced by the API item, SKU included', async () => {
  const current = loadSnapshot();
  const live = await LivePriceList.create();
  try {
    const outcome = await refreshSnapshot(current, live, '2026-12-01');
    expect(outcome.kept).toEqual([]);
    expect(outcome.refreshed).toBe(current.records.length);
    expect(fake.requests).toHaveLength(current.records.length);
    const out = join(mkdtempSync(join(tmpdir(), 'spendsense-snapshot-')), 'prices.json');
    writeSnapshot(out, outcome.snapshot);
    const written = parseSnapshot(readFileSync(out, 'utf8'));
    expect(written.records).toHaveLength(current.records.length);
    expect(written.records.every((r) => r.product.sku !== null)).toBe(true);
    expect(written.records.map((r) => r.source)).toEqual(
      current.records.map(() => ({
        shownIn: 'AWS Price List Query API (GetProducts)',
        url: LIVE_SOURCE_URL,
        dataDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        checked: '2026-12-01',
        singleSource: false,
      })),
    );
    expect(written.records.map((r) => r.product.attributes.usagetype)).toEqual(
      current.records.map((r) => r.product.attributes.usagetype),
    );
    expect(readdirSync(join(out, '..'))).toEqual(['prices.json']);
  } finally {
    live.destroy();
  }
});

test('a record the API does not pin to one product keeps its figure and is reported', async () => {
  const current = loadSnapshot();
  const m7g = current.records.find((r) => r.product.sku === 'Z8HB5KU2V54F7ATT')!;
  fake.add({ ...m7g, product: { ...m7g.product, sku: 'TWINSKU000000001' } });
  const live = await LivePriceList.create();
  try {
    const outcome = await refreshSnapshot(current, live, '2026-12-01');
    expect(outcome.kept).toEqual([
      {
        usageType: 'Multi-AZUsage:db.m7g.large',
        regionCode: 'us-east-1',
        reason: expect.stringMatching(/2 SKUs match .*TWINSKU000000001, Z8HB5KU2V54F7ATT/),
      },
    ]);
    expect(outcome.snapshot.records.find((r) => r.product.sku === 'Z8HB5KU2V54F7ATT')?.source).toEqual(m7g.source);
  } finally {
    live.destroy();
    fake = await restart();
  }
});

async function restart(): Promise<FakePricing> {
  await fake.stop();
  const next = new FakePricing(liveCatalog());
  endpoint = await next.start();
  process.env.AWS_ENDPOINT_URL_PRICING = endpoint;
  return next;
}

function script(
  args: string[],
  env: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      ...bundledCommand('scripts/pricing-snapshot.ts', args),
      { cwd: ROOT, env: cleanEnv(env), timeout: 120_000 },
      (error, stdout, stderr) =>
        resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

test('npm run pricing:snapshot writes the refreshed snapshot atomically; without credentials it exits 3', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spendsense-snapshot-'));
  const files = { AWS_CONFIG_FILE: join(awsHome, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(awsHome, 'credentials') };
  const [ok, noCredentials] = await Promise.all([
    script(['--out', join(dir, 'prices.json'), '--checked', '2026-12-01'], {
      ...DUMMY_AWS_ENV,
      ...files,
      AWS_ENDPOINT_URL_PRICING: endpoint,
    }),
    script(['--out', join(dir, 'never.json')], { ...files, AWS_ENDPOINT_URL_PRICING: endpoint }),
  ]);
  expect(ok.status).toBe(0);
  expect(ok.stdout).toMatch(/refreshed (\d+) of \1 records from the Price List \(\1 requests\), wrote /);
  expect(parseSnapshot(readFileSync(join(dir, 'prices.json'), 'utf8')).records[0].source.checked).toBe('2026-12-01');
  expect(noCredentials.status).toBe(3);
  expect(noCredentials.stderr).toMatch(/^pricing:snapshot: AWS credentials are needed and none resolved/);
  expect(readdirSync(dir)).toEqual(['prices.json']);
});
