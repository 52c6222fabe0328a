import { CfnParameter, CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnTemplate } from '../../../aspects/template';
import { Decimal } from '../../../lib/pricing/decimal';
import * as dim from '../../../lib/pricing/dimensions';
import { costModel, priceLines, totalOf, vcpusOf } from '../../../lib/pricing/estimate';
import { quoteDimensions } from '../../../lib/pricing/quotes';
import { billableResources } from '../../../lib/pricing/resources';
import { loadSnapshot } from '../../../lib/pricing/snapshot';
import { DEFAULT_USAGE } from '../../../lib/pricing/usage';
import type { EnvironmentName, EnvironmentProfile } from '../../../lib/profiles';
import { kitStack } from '../../support/synth';

const snapshot = loadSnapshot();

function templateOf(env: EnvironmentName, overrides: Partial<EnvironmentProfile> = {}): CfnTemplate {
  return Template.fromStack(kitStack(env, overrides)).toJSON();
}

async function price(env: EnvironmentName, overrides: Partial<EnvironmentProfile> = {}, usage = DEFAULT_USAGE) {
  const model = costModel(billableResources(templateOf(env, overrides)), overrides.region ?? 'us-east-1', usage);
  const outcome = await quoteDimensions(
    model.lines.map((l) => l.dimension),
    { mode: 'snapshot', snapshot },
  );
  return { model, ...priceLines(model, outcome.quotes) };
}

const line = (items: { description: string }[], pattern: RegExp) => {
  const found = items.filter((i) => pattern.test(i.description));
  if (found.length !== 1) throw new Error(`expected one line matching ${pattern}, got ${found.length}`);
  return found[0] as never as {
    quantity: Decimal;
    unitPriceUsd: Decimal;
    monthlyUsd: Decimal;
    sku: string | null;
    usageType: string | null;
    unit: string;
    source: { kind: string; checked?: string };
  };
};

describe('prod on the snapshot', () => {
  let result: Awaited<ReturnType<typeof price>>;
  beforeAll(async () => {
    result = await price('prod');
  });

  test('instance hours: 730 × the Multi-AZ db.m7g.large rate, not twice the Single-AZ one', () => {
    const l = line(result.items, /^db\.m7g\.large Multi-AZ/);
    expect([l.quantity.toString(), l.unitPriceUsd.toString(), l.monthlyUsd.toString()]).toEqual([
      '730',
      '0.337',
      '246.01',
    ]);
    expect(l.sku).toBe('Z8HB5KU2V54F7ATT');
    expect(l.usageType).toBe('Multi-AZUsage:db.m7g.large');
    expect(l.source).toEqual({ kind: 'snapshot', checked: '2026-11-25' });
  });

  test('Multi-AZ gp3 storage by its own SKU; backup beyond the free allowance from the assumption', () => {
    const storage = line(result.items, /^gp3 storage, Multi-AZ, 100 GB/);
    expect([storage.sku, storage.monthlyUsd.toString()]).toEqual(['J7S7KD4WFDNQWKNX', '23']);
    const backup = line(result.items, /^backup storage beyond the free 100 GB/);
    // 100 GB × 5% a day × 14 days retained.
    expect([backup.quantity.toString(), backup.monthlyUsd.toString()]).toEqual(['70', '6.65']);
  });

  test('RDS Proxy bills the vCPUs of the class (2 for large) for 730 hours', () => {
    const proxy = line(result.items, /vCPUs of db\.m7g\.large/);
    expect([proxy.quantity.toString(), proxy.monthlyUsd.toString(), proxy.usageType]).toEqual([
      '1460',
      '21.9',
      'USE1-RDS:ProxyUsage',
    ]);
  });

  test('KMS: the key, plus what its first two rotations add; requests from the assumption', () => {
    expect(line(result.items, /^customer-managed key$/).monthlyUsd.toString()).toBe('1');
    // A new key (0 months, the default) has not been rotated yet: said, not priced.
    expect(result.items.some((i) => /^rotated key material/.test(i.description))).toBe(false);
    expect(line(result.items, /^20,000 requests/).monthlyUsd.toString()).toBe('0.06');
  });

  test('Secrets Manager: both secrets of the template, API calls from the assumption', () => {
    const s = line(result.items, /^2 secrets: /);
    expect(s.monthlyUsd.toString()).toBe('0.8');
    expect(line(result.items, /API calls a month/).monthlyUsd.toString()).toBe('0.05');
  });

  test('the Secrets Manager endpoint: hours in each of its 2 AZs', () => {
    expect(line(result.items, /interface endpoint in 2 AZs/).monthlyUsd.toString()).toBe('14.6');
  });

  test('Performance Insights at 7 days and gp3 within its baseline are said to be free, not priced', () => {
    expect(result.model.free.map((f) => f.description)).toEqual([
      'gp3 IOPS and throughput within the included baseline (3,000 IOPS, 125 MiBps at 100 GB)',
      'Performance Insights with 7-day retention: within the free tier (7 days), no charge',
      'key rotation on, not rotated yet at 0 months of age (assumption): no extra charge yet (rotated every 365 days; +$1/month from month 12, +$2/month from month 24, later rotations free)',
    ]);
    expect(result.unpriced.map((u) => u.description)).toEqual(['Enhanced Monitoring storage in RDSOSMetrics']);
    expect(totalOf(result.items).toString()).toBe('316.05');
  });
});

describe('what the snapshot does not have is unpriced, with the reason, never zero or doubled', () => {
  test('Multi-AZ db.t4g.micro in us-east-1', async () => {
    const r = await price('dev', { multiAz: true });
    expect(r.items.some((i) => i.category === 'instance')).toBe(false);
    const u = r.unpriced.find((x) => x.category === 'instance');
    expect(u?.reason).toMatch(/no price for AmazonRDS Multi-AZUsage:db\.t4g\.micro in us-east-1/);
    expect(u?.quantity?.toString()).toBe('730');
  });

  test('Multi-AZ gp2 storage, for which only an engine-Any record exists', async () => {
    const r = await price('staging', { storageType: 'gp2' });
    const u = r.unpriced.find((x) => x.category === 'storage');
    expect(u?.reason).toMatch(/only record for AmazonRDS RDS:Multi-AZ-GP2-Storage in us-east-1 has databaseEngine=Any/);
  });

  test('eu-west-1 Secrets Manager', async () => {
    const r = await price('dev', { region: 'eu-west-1' });
    expect(r.items.find((i) => i.category === 'instance')?.sku).toBe('M4GMEFVGGWNKH9B6');
    expect(r.unpriced.find((x) => x.category === 'secrets')?.reason).toMatch(
      /no price for AWSSecretsManager EU-AWSSecretsManager-Secrets in eu-west-1/,
    );
  });
});

describe('storage options', () => {
  test('io1 bills all provisioned IOPS; gp3 only those above 12,000 from 400 GB', async () => {
    const io1 = await price('dev', { storageType: 'io1', iops: 3000, allocatedStorage: 100, maxAllocatedStorage: 200 });
    const iops = line(io1.items, /3,000 provisioned IOPS \(io1, Single-AZ\)/);
    expect([iops.quantity.toString(), iops.monthlyUsd.toString(), iops.usageType]).toEqual([
      '3000',
      '300',
      'RDS:PIOPS',
    ]);
    const gp3 = await price('prod', { iops: 15000, allocatedStorage: 400 });
    const extra = line(gp3.items, /gp3 IOPS above the 12,000 included/);
    expect([extra.quantity.toString(), extra.monthlyUsd.toString()]).toEqual(['3000', '120']);
  });

  test('no backup line when retention is 0', async () => {
    const r = await price('dev', { backupRetentionDays: 0 });
    expect(r.items.some((i) => i.category === 'backup')).toBe(false);
    expect(r.model.free.map((f) => f.description)).toContain(
      'automated backups off (retention 0 days): no backup storage',
    );
  });

  test('usage assumptions drive their lines', async () => {
    const r = await price(
      'dev',
      {},
      { ...DEFAULT_USAGE, kmsKeyAgeMonths: 12, secretsManagerApiCallsPerMonth: 1_000_000 },
    );
    expect(line(r.items, /rotated key material: 1 billed rotation/).monthlyUsd.toString()).toBe('1');
    expect(line(r.items, /1,000,000 API calls/).monthlyUsd.toString()).toBe('5');
  });
});

describe('dimensions', () => {
  test('usage types follow each region’s prefix, and xlarge is written xl', () => {
    expect(dim.instanceHours('us-east-1', 'db.m7g.xlarge', false).usageType).toBe('InstanceUsage:db.m7g.xl');
    expect(dim.instanceHours('us-west-2', 'db.t4g.micro', false).usageType).toBe('USW2-InstanceUsage:db.t4g.micro');
    expect(dim.storage('eu-west-1', 'gp3', true).usageType).toBe('EU-RDS:Multi-AZ-GP3-Storage');
    expect(dim.proxyVcpuHours('us-east-1').usageType).toBe('USE1-RDS:ProxyUsage');
    expect(dim.kmsKeys('us-west-2').usageType).toBe('us-west-2-KMS-Keys');
    expect(dim.secrets('eu-central-1').usageType).toBe('EUC1-AWSSecretsManager-Secrets');
  });

  test('instance filters pin engine, deployment, licence and product family', () => {
    const d = dim.instanceHours('us-east-1', 'db.m7g.large', true);
    expect(Object.fromEntries(d.filters.map((f) => [f.field, f.value]))).toEqual({
      regionCode: 'us-east-1',
      productFamily: 'Database Instance',
      locationType: 'AWS Region',
      instanceType: 'db.m7g.large',
      databaseEngine: 'PostgreSQL',
      deploymentOption: 'Multi-AZ',
      licenseModel: 'No license required',
    });
  });

  test('vCPUs by size', () => {
    expect([vcpusOf('db.t4g.micro'), vcpusOf('db.m7g.xlarge'), vcpusOf('db.r7g.16xlarge'), vcpusOf('bogus')]).toEqual([
      2,
      4,
      64,
      undefined,
    ]);
  });
});

describe('tiered prices', () => {
  test('a quantity beyond the last tier the price list gives is unpriced, not priced up to the tier', async () => {
    const model = costModel(billableResources(templateOf('dev')), 'us-east-1', {
      ...DEFAULT_USAGE,
      vpcEndpointGbPerMonth: 2_000_000,
    });
    const outcome = await quoteDimensions(
      model.lines.map((l) => l.dimension),
      { mode: 'snapshot', snapshot },
    );
    const { items, unpriced } = priceLines(model, outcome.quotes);
    expect(items.some((i) => /GB a month processed/.test(i.description))).toBe(false);
    expect(unpriced.find((u) => /GB a month processed/.test(u.description))?.reason).toBe(
      "the price's tiers end at 1048576 GB; no price beyond",
    );
  });
});

describe('quantities come from the rendered template, escape hatches included', () => {
  function overridden(set: Record<string, unknown>): CfnTemplate {
    const stack = kitStack('prod');
    const cfn = stack.database.node.defaultChild as CfnResource;
    for (const [k, v] of Object.entries(set)) cfn.addPropertyOverride(k, v);
    return Template.fromStack(stack).toJSON();
  }

  test('MultiAZ overridden to false prices the Single-AZ instance and storage', async () => {
    const model = costModel(billableResources(overridden({ MultiAZ: false })), 'us-east-1', DEFAULT_USAGE);
    const outcome = await quoteDimensions(
      model.lines.map((l) => l.dimension),
      { mode: 'snapshot', snapshot },
    );
    const { items } = priceLines(model, outcome.quotes);
    expect(line(items, /^db\.m7g\.large Single-AZ/).monthlyUsd.toString()).toBe('122.64');
    expect(line(items, /^gp3 storage, Single-AZ/).sku).toBe('KYVYY29G957PKY3B');
  });

  test('paid Performance Insights retention is a line of its own, unpriced where the snapshot has no rate', async () => {
    const model = costModel(
      billableResources(overridden({ PerformanceInsightsRetentionPeriod: 731 })),
      'us-east-1',
      DEFAULT_USAGE,
    );
    const outcome = await quoteDimensions(
      model.lines.map((l) => l.dimension),
      { mode: 'snapshot', snapshot },
    );
    const { unpriced } = priceLines(model, outcome.quotes);
    expect(unpriced.find((u) => u.category === 'performance-insights')).toEqual(
      expect.objectContaining({
        description: 'Performance Insights 731-day retention, 2 vCPUs of db.m7g.large',
        usageType: 'USE1:PI_LTR:M7G',
        reason: expect.stringMatching(/no price for AmazonRDS USE1:PI_LTR:M7G in us-east-1/),
      }),
    );
  });

  test('a value known only at deploy is unpriced, saying which property', () => {
    const stack = kitStack('prod');
    const param = new CfnParameter(stack, 'Storage', { type: 'Number', default: 100 });
    (stack.database.node.defaultChild as CfnResource).addPropertyOverride('AllocatedStorage', param.valueAsNumber);
    const model = costModel(billableResources(Template.fromStack(stack).toJSON()), 'us-east-1', DEFAULT_USAGE);
    expect(model.unaskable.map((u) => [u.category, u.reason])).toEqual([
      ['storage', 'AllocatedStorage is parameter Storage, known only at deploy'],
      ['backup', 'AllocatedStorage is parameter Storage, known only at deploy'],
      ['logs', 'RDS creates the RDSOSMetrics log group itself; its retention is set outside the template'],
    ]);
  });
});
