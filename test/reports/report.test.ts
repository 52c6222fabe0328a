import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_USAGE, ENVIRONMENT_USAGE, parseUsageFile } from '../../lib/pricing/usage';
import { describeReportFailure } from '../../reports/errors';
import {
  generateReport,
  GeneratedReport,
  reportFromSynthesis,
  synthesizeKit,
  SynthesizedEnvironment,
} from '../../reports/generate';
import { ROOT } from '../support/cli';

/** The committed reports are the default profiles on snapshot prices. */
const COMMITTED = join(ROOT, 'reports');

let envs: SynthesizedEnvironment[];
let first: GeneratedReport;
let second: GeneratedReport;

beforeAll(async () => {
  envs = synthesizeKit({ projectDir: ROOT });
  first = await reportFromSynthesis(envs, { pricing: 'snapshot', projectDir: ROOT });
  // The whole path again, synthesis included.
  second = await generateReport({ pricing: 'snapshot', projectDir: ROOT });
});

describe('the default report on snapshot prices', () => {
  test('writes the three environments, SUMMARY.md and report.json', () => {
    expect(first.files.map((f) => f.name)).toEqual(['dev.md', 'staging.md', 'prod.md', 'SUMMARY.md', 'report.json']);
  });

  test('two runs are byte-identical', () => {
    expect(second.files).toEqual(first.files);
  });

  test('is identical to the committed reports', () => {
    for (const f of first.files) expect(readFileSync(join(COMMITTED, f.name), 'utf8')).toBe(f.content);
  });

  test('has no date but the price source’s', () => {
    const dates = new Set(first.files.flatMap((f) => f.content.match(/\b20\d\d-\d\d-\d\d\b/g) ?? []));
    // The rotation transform's version (AWS::SecretsManager-2024-09-16), the snapshot's check date, and the expiry the
    // kit's acknowledgements carry: none of them is the day the report ran.
    expect([...dates].sort()).toEqual(['2024-09-16', '2026-11-25', '2026-12-02', '2027-11-30']);
  });

  test('every line names its SKU or its usage type, and its source', () => {
    const json = JSON.parse(first.files.find((f) => f.name === 'report.json')!.content);
    for (const env of json.environments) {
      // Only the resources the model does not price yet are unpriced, each with its reason.
      expect(env.unpriced.filter((u: { category: string }) => !['logs', 'lambda'].includes(u.category))).toEqual([]);
      for (const u of env.unpriced) expect(u.reason).toMatch(/not priced yet|set outside the template/);
      for (const line of env.lineItems) {
        expect(line.sku ?? line.usageType).toEqual(expect.any(String));
        expect(line.source).toMatch(/^snapshot \(checked 2026-(11-25|12-02)\)$/);
      }
    }
  });

  test('report.json has the documented shape', () => {
    const json = JSON.parse(first.files.find((f) => f.name === 'report.json')!.content);
    expect(json.environments.map((e: { name: string }) => e.name)).toEqual(['dev', 'staging', 'prod']);
    const prod = json.environments[2];
    expect(Object.keys(prod)).toEqual(
      expect.arrayContaining(['name', 'region', 'monthlyCostUsd', 'lineItems', 'unpriced', 'controls', 'findings']),
    );
    expect(prod.monthlyCostUsd).toBe(331.53);
    expect(prod.lineItems[0]).toEqual({
      resource: 'RDS instance spendsense-prod',
      description: 'db.m7g.large Multi-AZ, 730 hours a month',
      quantity: 730,
      unit: 'Hrs',
      unitPriceUsd: 0.337,
      monthlyUsd: 246.01,
      sku: 'Z8HB5KU2V54F7ATT',
      usageType: 'Multi-AZUsage:db.m7g.large',
      source: 'snapshot (checked 2026-11-25)',
      category: 'instance',
    });
    expect(prod.controls.find((c: { control: string }) => c.control === 'Multi-AZ')).toEqual({
      control: 'Multi-AZ',
      value: 'true',
      evidence: 'DatabaseB269D8BB.MultiAZ',
      rules: ['SS-RDS-002'],
      status: 'pass',
    });
  });

  test('the security summary shows controls, policy results and acknowledged cdk-nag findings', () => {
    const dev = first.files.find((f) => f.name === 'dev.md')!.content;
    expect(dev).toMatch(/\| Multi-AZ \| false \| DatabaseB269D8BB\.MultiAZ \| `SS-RDS-002` \| not-evaluated \|/);
    expect(dev).toMatch(
      /\| `AwsSolutions-RDS3` \| .* \| acknowledged \| error \| .* \| live: Single-AZ by the dev profile .* \(owner spendsense-platform, expires 2027-11-30\) \|/,
    );
    const prod = first.files.find((f) => f.name === 'prod.md')!.content;
    expect(prod).toMatch(/\| Deletion protection \| DeletionProtection=true, DeletionPolicy=Snapshot \|/);
    expect(prod).toMatch(
      /\| TLS \| DatabaseB269D8BB: rds\.force_ssl=1 \(ParameterGroup5E32DECB\); ProxyCB0DFB71: RequireTLS=true \|/,
    );
    expect(prod).toMatch(/#### PCIDSS321/);
  });
});

describe('overrides, exactly as cdk synth reads them', () => {
  test('-c instanceClass=db.m6g.large -c environment=prod prices that class in us-east-1', async () => {
    const r = await generateReport({
      pricing: 'snapshot',
      projectDir: ROOT,
      context: ['instanceClass=db.m6g.large', 'environment=prod'],
    });
    expect(r.model.environments.map((e) => e.name)).toEqual(['prod']);
    const instance = r.model.environments[0].lineItems.find((l) => l.category === 'instance')!;
    expect(instance.description).toBe('db.m6g.large Multi-AZ, 730 hours a month');
    expect([instance.unitPriceUsd.toString(), instance.monthlyUsd.toString()]).toEqual(['0.318', '232.14']);
    // No public source gives this SKU: the usage type names the line.
    expect([instance.sku, instance.usageType]).toEqual([null, 'Multi-AZUsage:db.m6g.large']);
    expect(r.files.find((f) => f.name === 'prod.md')!.content).toMatch(
      /\| db\.m6g\.large Multi-AZ, 730 hours a month \| 730 \| Hrs \| 0\.318 \| 232\.14 \| — \| `Multi-AZUsage:db\.m6g\.large` \|/,
    );
  });

  test('invalid -c values fail as synth does: every problem, one line each, exit 2', async () => {
    const err = await generateReport({
      pricing: 'snapshot',
      projectDir: ROOT,
      context: ['environment=prod', 'instanceClass=bogus', 'allocatedStorage=-5'],
    }).catch((e: unknown) => e);
    expect(describeReportFailure(err)).toEqual({
      exitCode: 2,
      lines: [
        'SpendSense: invalid configuration, nothing synthesized:',
        "  instanceClass: got 'bogus', expected an RDS for PostgreSQL class such as db.t4g.micro or db.m7g.large (-c instanceClass=...)",
        "  allocatedStorage: got '-5', expected a whole number from 20 to 65536 GiB (-c allocatedStorage=...)",
      ],
    });
  });

  test('--env names only synthesized environments', async () => {
    const err = await generateReport({
      pricing: 'snapshot',
      projectDir: ROOT,
      environments: ['dev'],
      context: ['environment=prod'],
    }).catch((e: unknown) => e);
    expect(describeReportFailure(err)).toEqual({
      exitCode: 2,
      lines: ['report: --env dev: not synthesized; the context selects prod (-c environment=...)'],
    });
  });
});

describe('usage assumptions', () => {
  test('a usage file overrides them per environment, and the report prints the values used', async () => {
    const usage = parseUsageFile({ kmsRequestsPerMonth: 0, environments: { prod: { backupDailyChangePercent: 10 } } });
    const r = await reportFromSynthesis(envs, { pricing: 'snapshot', usage });
    const [dev, staging, prod] = r.model.environments;
    expect(dev.assumptions).toEqual({ ...DEFAULT_USAGE, kmsRequestsPerMonth: 0 });
    expect(staging.assumptions).toEqual({ ...DEFAULT_USAGE, ...ENVIRONMENT_USAGE.staging, kmsRequestsPerMonth: 0 });
    expect(prod.assumptions).toEqual({
      ...DEFAULT_USAGE,
      ...ENVIRONMENT_USAGE.prod,
      kmsRequestsPerMonth: 0,
      backupDailyChangePercent: 10,
    });
    expect(prod.lineItems.find((l) => l.category === 'backup')?.quantity.toString()).toBe('140');
    expect(r.files.find((f) => f.name === 'prod.md')!.content).toMatch(/\| `backupDailyChangePercent` \| 10 \|/);
  });

  test('bad values are all reported', () => {
    expect(() =>
      parseUsageFile({
        kmsRequestsPerMonth: -1,
        bogus: 1,
        environments: { qa: {}, prod: { vpcEndpointGbPerMonth: 'x' } },
      }),
    ).toThrow(
      /kmsRequestsPerMonth got -1, expected a whole number from 0; usage file: unknown key 'bogus'.*environments\.qa is not one of dev, staging, prod.*vpcEndpointGbPerMonth got "x"/,
    );
  });
});
