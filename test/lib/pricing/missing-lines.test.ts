import { CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import type { CfnTemplate } from '../../../aspects/template';
import { costModel, FREE_TIERS, priceLines, totalOf } from '../../../lib/pricing/estimate';
import { quoteDimensions } from '../../../lib/pricing/quotes';
import { billableResources } from '../../../lib/pricing/resources';
import { loadSnapshot, parseSnapshot } from '../../../lib/pricing/snapshot';
import { SOURCES_PATH, withSourcesTable } from '../../../lib/pricing/snapshot-sources';
import { DEFAULT_USAGE, parseUsageFile, UsageAssumptions, UsageError, usageFor } from '../../../lib/pricing/usage';
import type { EnvironmentName, EnvironmentProfile } from '../../../lib/profiles';
import { kitStack } from '../../support/synth';

const snapshot = loadSnapshot();

async function priced(template: CfnTemplate, usage: Partial<UsageAssumptions> = {}) {
  const model = costModel(billableResources(template), 'us-east-1', { ...DEFAULT_USAGE, ...usage });
  const outcome = await quoteDimensions(
    model.lines.map((l) => l.dimension),
    { mode: 'snapshot', snapshot },
  );
  return { model, ...priceLines(model, outcome.quotes) };
}

const templateOf = (env: EnvironmentName, overrides: Partial<EnvironmentProfile> = {}): CfnTemplate =>
  Template.fromStack(kitStack(env, overrides)).toJSON();

const lines = <T extends { category: string }>(items: readonly T[], category: string): T[] =>
  items.filter((i) => i.category === category);

describe('CPU credits of burstable classes', () => {
  test('a db.t4g instance has a CPU-credit line from the Price List product, at the assumed points above baseline', async () => {
    const r = await priced(templateOf('dev'), { cpuAboveBaselinePercent: 10 });
    const [credit] = lines(r.items, 'cpu-credits');
    // 10 points of 2 vCPUs for 730 hours = 146 vCPU-hours at $0.075.
    expect([credit.quantity.toString(), credit.unitPriceUsd.toString(), credit.monthlyUsd.toString()]).toEqual([
      '146',
      '0.075',
      '10.95',
    ]);
    expect([credit.sku, credit.usageType]).toEqual(['DXW9ERDR4STYT9D7', 'CPUCredits:db.t4g']);
  });

  test('at the default (0 points) the line is shown at $0 with what each 10 points would add', async () => {
    const r = await priced(templateOf('dev'));
    const [credit] = lines(r.items, 'cpu-credits');
    expect(credit.monthlyUsd.toString()).toBe('0');
    expect(credit.description).toMatch(/every 10 points sustained add 146 vCPU-hours/);
  });

  test('non-burstable classes have no CPU-credit line; a t3 class asks for its own usage type', async () => {
    expect(lines((await priced(templateOf('prod'))).model.lines, 'cpu-credits')).toEqual([]);
    const t3 = await priced(templateOf('dev', { instanceClass: 'db.t3.micro' }));
    expect(lines(t3.model.lines, 'cpu-credits').map((l) => l.dimension.usageType)).toEqual(['CPUCredits:db.t3']);
    // No public figure for T3 credits is in the snapshot: unpriced, saying so.
    expect(t3.unpriced.find((u) => u.category === 'cpu-credits')?.reason).toMatch(
      /no price for AmazonRDS CPUCredits:db\.t3/,
    );
  });
});

describe('CloudWatch Logs', () => {
  test('each log group the app writes: ingestion and storage for its retention; the flow log: vended ingestion', async () => {
    const r = await priced(templateOf('dev'), { logGroupGbPerMonth: 2, flowLogGbPerMonth: 3 });
    const logs = lines(r.items, 'logs');
    const by = (resource: RegExp, what: RegExp) =>
      logs.filter((l) => resource.test(l.resource) && what.test(l.description));
    const pg = /postgresql$/;
    expect(by(pg, /ingested a month/).map((l) => [l.quantity.toString(), l.monthlyUsd.toString()])).toEqual([
      ['2', '1'],
    ]);
    // 2 GB a month kept 30 days: 2 × 30 × 24 / 730 GB-months at $0.03.
    expect(by(pg, /^storage of 30 days/).map((l) => [l.quantity.toString(), l.usageType])).toEqual([
      ['1.972603', 'TimedStorage-ByteHrs'],
    ]);
    const flow = by(/^Flow log /, /vended logs/);
    expect(flow.map((l) => [l.quantity.toString(), l.monthlyUsd.toString(), l.usageType])).toEqual([
      ['3', '1.5', 'USE1-VendedLog-Bytes'],
    ]);
    // The flow log's group is not billed ingestion a second time.
    expect(by(/FlowLogGroup/, /ingested a month/)).toEqual([]);
    expect(by(/FlowLogGroup/, /^storage/)).toHaveLength(1);
    expect(r.model.freeTiers).toContainEqual(FREE_TIERS.logs);
  });

  test('a log group that never expires, or a flow log to S3, is unpriced with the reason', async () => {
    const stack = kitStack('dev');
    const group = stack.node
      .findAll()
      .find(
        (c) =>
          CfnResource.isCfnResource(c) &&
          c.cfnResourceType === 'AWS::Logs::LogGroup' &&
          c.node.path.endsWith('postgresql/Resource'),
      ) as CfnResource;
    group.addPropertyDeletionOverride('RetentionInDays');
    const flow = stack.node
      .findAll()
      .find((c) => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::EC2::FlowLog') as CfnResource;
    flow.addPropertyOverride('LogDestinationType', 's3');
    const r = await priced(Template.fromStack(stack).toJSON());
    expect(r.unpriced.map((u) => u.reason)).toEqual(
      expect.arrayContaining([
        'retention never expires: what is stored grows by 0.5 GB every month without bound',
        'the cost model prices delivery to CloudWatch Logs only, not to s3',
      ]),
    );
  });

  test('Enhanced Monitoring ingestion scales with the interval', async () => {
    const stack = kitStack('dev');
    (stack.database.node.defaultChild as CfnResource).addPropertyOverride('MonitoringInterval', 15);
    const r = await priced(Template.fromStack(stack).toJSON());
    const em = lines(r.items, 'logs').filter((l) => /Enhanced Monitoring every 15 s/.test(l.description));
    expect(em.map((l) => l.quantity.toString())).toEqual(['2']);
  });
});

describe('KMS rotation by key age', () => {
  const rotationUsd = async (months: number) => {
    const r = await priced(templateOf('dev'), { kmsKeyAgeMonths: months });
    return r.items.filter((i) => /^rotated key material/.test(i.description)).map((i) => i.monthlyUsd.toString());
  };

  test('nothing in the first year, $1 from month 12, $2 from month 24 on, never more', async () => {
    expect(await rotationUsd(0)).toEqual([]);
    expect(await rotationUsd(11)).toEqual([]);
    expect(await rotationUsd(12)).toEqual(['1']);
    expect(await rotationUsd(23)).toEqual(['1']);
    expect(await rotationUsd(24)).toEqual(['2']);
    expect(await rotationUsd(120)).toEqual(['2']);
  });

  test('the default says when rotations will add cost', async () => {
    const r = await priced(templateOf('dev'));
    expect(r.model.free.map((f) => f.description)).toContainEqual(
      expect.stringMatching(/not rotated yet at 0 months.*\+\$1\/month from month 12, \+\$2\/month from month 24/),
    );
  });
});

describe('free tiers', () => {
  test('are listed as notes and never deducted', async () => {
    const r = await priced(templateOf('dev'));
    expect(r.model.freeTiers).toEqual([FREE_TIERS.logs, FREE_TIERS.kms, FREE_TIERS.lambda]);
    // The logs lines are charged from the first GB although 5 GB a month are free per account.
    expect(totalOf(lines(r.items, 'logs')).isZero()).toBe(false);
  });
});

describe('usage assumptions of the new lines', () => {
  test('log volumes differ per environment by default and a usage file overrides them', () => {
    expect([usageFor('dev').logGroupGbPerMonth, usageFor('prod').logGroupGbPerMonth]).toEqual([0.5, 5]);
    const file = parseUsageFile({ logGroupGbPerMonth: 3, environments: { prod: { flowLogGbPerMonth: 0.25 } } });
    expect([usageFor('prod', file).logGroupGbPerMonth, usageFor('prod', file).flowLogGbPerMonth]).toEqual([3, 0.25]);
  });

  test('out-of-range or fractional counts are refused, naming the key', () => {
    expect(() => parseUsageFile({ cpuAboveBaselinePercent: 150 })).toThrow(
      /cpuAboveBaselinePercent got 150, expected a number from 0 to 100/,
    );
    expect(() => parseUsageFile({ kmsKeyAgeMonths: 1.5 })).toThrow(UsageError);
    expect(() => parseUsageFile({ kmsKeyRotations: 2 })).toThrow(/unknown key 'kmsKeyRotations'/);
  });
});

describe('SOURCES.md', () => {
  test('its records table is the one prices.json renders (npm run pricing:sources)', () => {
    const text = readFileSync(SOURCES_PATH, 'utf8');
    expect(withSourcesTable(text, snapshot)).toBe(text);
    expect(text.match(/^## Sources$/gm)).toHaveLength(1);
  });

  test('every record says what shows it, the data date and the check date; no `current` alias stands in for a source', () => {
    for (const r of snapshot.records) {
      expect(r.source.dataDate <= r.source.checked).toBe(true);
      expect(r.source.url ?? '').not.toMatch(/\/current\//);
    }
  });

  test('a record without the source fields is refused', () => {
    const bad = { ...snapshot, records: [{ ...snapshot.records[0], source: { url: 'x', checked: '2026-01-01' } }] };
    expect(() => parseSnapshot(JSON.stringify(bad))).toThrow(
      /source \{shownIn, url, dataDate, checked, singleSource\}/,
    );
  });
});
