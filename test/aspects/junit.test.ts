import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { blocking } from '../../aspects/engine';
import { toJunit, xmlEscape } from '../../aspects/junit';
import type { CheckResult } from '../../aspects/types';
import { buildKitApp } from '../../lib/app';
import { TODAY } from '../support/compliance';
import { parseJunit } from '../support/junit';

function synth(context: Record<string, string>) {
  const outdir = mkdtempSync(join(tmpdir(), 'spendsense-junit-'));
  const app = new App({ outdir, context });
  const plugin = buildKitApp(app, { date: TODAY, enforce: false }).compliance;
  app.synth();
  return { run: plugin.lastRun!, xml: readFileSync(join(outdir, 'compliance.junit.xml'), 'utf8') };
}

test('one test case per rule and resource, a failure per blocking finding, a skip per acknowledged one', () => {
  const { run, xml } = synth({ environment: 'prod', multiAz: 'false' });
  const doc = parseJunit(xml);
  expect(doc.counts).toEqual({
    tests: run.results.length,
    failures: blocking(run.results).length,
    errors: 0,
    skipped: run.results.filter((r) => r.status === 'acknowledged').length,
  });
  expect(doc.counts.failures).toBeGreaterThan(0);
  const cases = doc.suites.flatMap((s) => s.cases);
  const multiAz = cases.find((c) => c.failure?.type === 'SS-RDS-002')!;
  expect(multiAz.classname).toBe('SpendSense-Database-prod.SS-RDS-002');
  expect(multiAz.failure!.text).toMatch(/Found: MultiAZ=false\. At lib\/database\/platform\.ts:\d+\. Fix: /);
  const skipped = cases.find((c) => c.skipped)!;
  expect(skipped.skipped!.message).toMatch(/^acknowledged by spendsense-platform until \d{4}-\d\d-\d\d: .{20,}/);
});

test('escapes what XML cannot hold as text', () => {
  expect(xmlEscape(`a<b>&"c'\u0001`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;\uFFFD');
  expect(xmlEscape('lone \uD800 surrogate, pair \u{1F600}')).toBe('lone \uFFFD surrogate, pair \u{1F600}');
  expect(xmlEscape('SS-RDS-001 SpendSense-Database-prod/Database (Db) [1/2]')).toBe(
    'SS-RDS-001 SpendSense-Database-prod/Database (Db) [1/2]',
  );
  const result: CheckResult = {
    ruleId: 'SS-X-001',
    title: 'T <x>',
    source: 'spendsense',
    environment: 'prod',
    stack: 'S&P',
    constructPath: 'S/"quoted"',
    logicalId: 'L',
    resourceType: 'AWS::S3::Bucket',
    status: 'fail',
    severity: 'error',
    evidence: "a]]>b & 'c'\u0007",
    fix: 'f',
  };
  const doc = parseJunit(toJunit([result], () => 'app.ts:3'));
  expect(doc.suites[0]).toMatchObject({ name: 'S&P', cases: [{ name: 'SS-X-001 S/"quoted" (L)' }] });
  expect(doc.suites[0].cases[0].failure!.text).toContain("a]]>b & 'c'\uFFFD");
});

test('is byte-identical when synthesized again', () => {
  expect(synth({ environment: 'staging' }).xml).toBe(synth({ environment: 'staging' }).xml);
});
