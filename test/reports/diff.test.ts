/**
 * report --diff on pairs of reports made from real overrides: an instance class change, storage growth, Multi-AZ off,
 * acknowledgements expiring and expired (a later compliance date), plus its rendering and the CI threshold.
 */
import { join } from 'node:path';
import { ReportDocument, diffReports, exceeding, money, parseThreshold } from '../../reports/diff';
import { generateReport } from '../../reports/generate';
import { reportJson } from '../../reports/render-json';
import { renderDiffJson, renderDiffMarkdown } from '../../reports/render-diff';
import { Decimal } from '../../lib/pricing/decimal';

const ROOT = join(__dirname, '..', '..');
const TODAY = '2026-11-25';

async function documentOf(context: string[]): Promise<ReportDocument> {
  const r = await generateReport({ pricing: 'snapshot', projectDir: ROOT, context, formats: ['json'] });
  return JSON.parse(JSON.stringify(reportJson(r.model))) as ReportDocument;
}

let base: ReportDocument;
beforeAll(async () => {
  base = await documentOf(['environment=prod', `complianceDate=${TODAY}`]);
});

const diffTo = async (context: string[], today = TODAY) =>
  diffReports(base, await documentOf(['environment=prod', ...context]), { baseLabel: 'base', today });

test('no change: an empty diff that says so', async () => {
  const diff = await diffTo([`complianceDate=${TODAY}`]);
  expect(diff.total).toEqual({ before: '331.53', after: '331.53', change: '0.00', percent: '0.0' });
  expect(diff.environments[0]).toMatchObject({ lines: [], newFindings: [], resolvedFindings: [], controls: [] });
  expect(renderDiffMarkdown(diff)).toContain('| prod | $331.53 | $331.53 | $0.00 (0.0%) | no change |');
});

test('an instance class change: the instance and proxy lines with their USD and percent, and the total', async () => {
  const diff = await diffTo(['instanceClass=db.m7g.xlarge', `complianceDate=${TODAY}`]);
  const prod = diff.environments[0];
  expect(prod.lines).toEqual([
    {
      resource: 'RDS instance spendsense-prod',
      category: 'instance',
      change: 'changed',
      before: 'db.m7g.large Multi-AZ, 730 hours a month',
      after: 'db.m7g.xlarge Multi-AZ, 730 hours a month',
      usd: { before: '246.01', after: '492.02', change: '+246.01', percent: '+100.0' },
    },
    expect.objectContaining({ category: 'proxy', usd: expect.objectContaining({ change: '+21.90' }) }),
  ]);
  expect(diff.total).toEqual({ before: '331.53', after: '599.44', change: '+267.91', percent: '+80.8' });
  const md = renderDiffMarkdown(diff);
  expect(md).toMatch(/^### SpendSense: monthly cost and posture change\n\nCompared with base\.\n/);
  expect(md).toContain('| **total** | $331.53 | $599.44 | **+$267.91 (+80.8%)** |');
  expect(md).toMatch(/<details><summary>prod: 2 cost lines changed; posture: no change<\/summary>/);
  expect(md).toContain('+$246.01 (+100.0%)');
});

test('storage growth: the storage and backup lines', async () => {
  const diff = await diffTo(['allocatedStorage=200', `complianceDate=${TODAY}`]);
  const categories = diff.environments[0].lines.map((l) => [l.category, l.usd.change]);
  expect(categories).toEqual(expect.arrayContaining([['storage', '+23.00']]));
  expect(diff.total.change).toMatch(/^\+\d+\.\d\d$/);
});

test('Multi-AZ off: cheaper lines, a new finding and the control that changed', async () => {
  const diff = await diffTo(['multiAz=false', `complianceDate=${TODAY}`]);
  const prod = diff.environments[0];
  // db.m7g.large at the snapshot's prices: Multi-AZ 246.01 a month, Single-AZ 122.64.
  expect(prod.lines.find((l) => l.category === 'instance')!.usd).toMatchObject({
    before: '246.01',
    after: '122.64',
    change: '-123.37',
  });
  expect(prod.newFindings.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['SS-RDS-002', 'AwsSolutions-RDS3']));
  expect(prod.controls.map((c) => c.control)).toContain('Multi-AZ');
  expect(renderDiffMarkdown(diff)).toMatch(/posture: \d+ new findings, 1 control changed/);
});

test('acknowledgements: expiring within 30 days, then expired (changed) with their findings back', async () => {
  const expiring = await diffTo(['complianceDate=2027-11-10'], '2027-11-10');
  expect(expiring.environments[0].expiringAcknowledgements.length).toBeGreaterThan(0);
  expect(expiring.environments[0].expiringAcknowledgements[0].expires).toBe('2027-11-30');
  const expired = await diffTo(['complianceDate=2027-12-01'], '2027-12-01');
  const prod = expired.environments[0];
  expect(prod.changedAcknowledgements.length).toBeGreaterThan(0);
  expect(prod.changedAcknowledgements[0]).toMatchObject({ before: { state: 'live' }, after: { state: 'expired' } });
  expect(prod.newFindings.length).toBeGreaterThan(0);
});

test('an acknowledgement added, and environments added, removed and not in the run', () => {
  const env = (name: string, acks: ReportDocument['environments'][number]['acknowledgements'] = []) => ({
    name,
    monthlyCostUsd: 10,
    lineItems: [],
    controls: [],
    findings: [],
    acknowledgements: acks,
  });
  const ack = {
    ruleId: 'AwsSolutions-S1',
    scope: 'S/B',
    reason: 'r'.repeat(20),
    owner: 'o',
    expires: '2027-06-30',
    state: 'live',
  };
  const diff = diffReports(
    { environments: [env('dev'), env('staging'), env('prod')] },
    { environments: [env('dev', [ack]), env('qa')] },
    { baseLabel: 'b', today: TODAY, restrictedTo: ['dev', 'qa', 'staging'] },
  );
  expect(diff.environments.map((e) => [e.name, e.status])).toEqual([
    ['dev', 'compared'],
    ['staging', 'removed'],
    ['prod', 'not-in-run'],
    ['qa', 'added'],
  ]);
  expect(diff.environments[0].newAcknowledgements).toEqual([ack]);
  expect(diff.total).toEqual({ before: '20.00', after: '20.00', change: '0.00', percent: '0.0' });
  expect(renderDiffMarkdown(diff)).toContain('Not in this run (left out of the total): prod.');
});

test('deterministic: the same pair gives the same bytes', async () => {
  const head = await documentOf(['environment=prod', 'instanceClass=db.m7g.xlarge', `complianceDate=${TODAY}`]);
  const a = diffReports(base, head, { baseLabel: 'b', today: TODAY });
  const b = diffReports(base, head, { baseLabel: 'b', today: TODAY });
  expect(renderDiffMarkdown(a)).toBe(renderDiffMarkdown(b));
  expect(renderDiffJson(a)).toBe(renderDiffJson(b));
});

test('--fail-on-increase thresholds: USD a month or percent', () => {
  const diff = {
    base: 'b',
    environments: [{ name: 'prod', status: 'compared', total: money(Decimal.parse('100'), Decimal.parse('112')) }],
    total: money(Decimal.parse('100'), Decimal.parse('112')),
  } as unknown as Parameters<typeof exceeding>[0];
  expect(exceeding(diff, parseThreshold('50')!)).toEqual([]);
  expect(exceeding(diff, parseThreshold('10')!)).toEqual(['prod +12.00 USD (+12.0%)', 'total +12.00 USD (+12.0%)']);
  expect(exceeding(diff, parseThreshold('12%')!)).toEqual([]);
  expect(exceeding(diff, parseThreshold('11.5%')!)).toHaveLength(2);
  for (const bad of ['', '-5', '10 USD', '%', '1e3']) expect(parseThreshold(bad)).toBeUndefined();
});
