/**
 * Findings are placed on the line of the user's source that created the resource: for an L2 the `new X(...)` call,
 * for an L1 its own `new CfnX(...)`, for a resource made in a helper the helper's line, for an L1 made deep inside an
 * L2 the L2's line; in a nested stack too, and relative to the git repository's root.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { applyCompliance, repositoryRootOf } from '../../aspects/compliance';
import { ComplianceRun, creationSite } from '../../aspects/plugin';
import type { CheckResult } from '../../aspects/types';
import { buildLocatedStack } from '../fixtures/located-app';
import { TODAY } from '../support/compliance';
import { sarifSchemaErrors } from '../support/sarif-schema';

const ROOT = join(__dirname, '..', '..');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'located-app.ts');
const FIXTURE_URI = relative(ROOT, FIXTURE).split('\\').join('/');

/** The 1-based line of the fixture that carries `@line <name>`. */
function lineOf(name: string): number {
  const lines = readFileSync(FIXTURE, 'utf8').split('\n');
  const index = lines.findIndex((l) => l.includes(`// @line ${name}`));
  if (index < 0) throw new Error(`no @line ${name} in the fixture`);
  return index + 1;
}

let run: ComplianceRun;
type Sarif = { runs: { results: { ruleId: string; locations: { physicalLocation: Location }[] }[] }[] };
interface Location {
  artifactLocation: { uri: string };
  region: { startLine: number; startColumn?: number };
}

let outdir: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'spendsense-located-'));
  const app = new App({ outdir });
  buildLocatedStack(new Stack(app, 'TeamStack'));
  const plugin = applyCompliance(app, { environment: 'prod', enforce: false, date: TODAY, repositoryRoot: ROOT });
  app.synth();
  run = plugin.lastRun!;
});

/** Where the findings of one construct are placed, as `uri:line`. */
function placesOf(pathEnd: string): string[] {
  const findings = run.results.filter((r: CheckResult) => r.status !== 'pass' && r.constructPath.endsWith(pathEnd));
  if (findings.length === 0) throw new Error(`no finding on ${pathEnd}`);
  return [...new Set(findings.map((r) => run.locations.get(r)!).map((l) => `${l.uri}:${l.line}`))];
}

test.each([
  ['an L2', '/Plain/Resource', 'l2'],
  ['an L1', '/Raw', 'l1'],
  ['an L2 whose L1 an escape hatch changed', '/Hatched/Resource', 'hatched'],
  ['a resource made in a helper function', '/FromHelper/Resource', 'helper'],
  ['a resource in a nested stack', '/Inner/InNested/Resource', 'nested'],
  ['an L1 an L2 made inside another L2 (the database secret)', '/Db/Secret/Resource', 'database'],
  ['the VPC itself', '/Vpc/Resource', 'vpc'],
  ['a database instance', '/Db/Resource', 'database'],
])('%s: its findings are on its creating line', (_, path, marker) => {
  expect(placesOf(path)).toEqual([`${FIXTURE_URI}:${lineOf(marker)}`]);
});

describe('a raw override', () => {
  /** The fixture built as under `cdk synth --debug`, when aws-cdk-lib records where each override was made. */
  function debugRun(debug: boolean): ComplianceRun {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'spendsense-located-')) });
    const saved = process.env.CDK_DEBUG;
    process.env.CDK_DEBUG = String(debug);
    try {
      buildLocatedStack(new Stack(app, 'TeamStack'));
    } finally {
      if (saved === undefined) delete process.env.CDK_DEBUG;
      else process.env.CDK_DEBUG = saved;
    }
    const plugin = applyCompliance(app, { environment: 'prod', enforce: false, date: TODAY, repositoryRoot: ROOT });
    app.synth();
    return plugin.lastRun!;
  }
  const placeOf = (r: ComplianceRun, ruleId: string) => {
    const found = r.results.find((x) => x.ruleId === ruleId && x.constructPath.endsWith('/Db/Resource'))!;
    const where = r.locations.get(found)!;
    return `${where.uri}:${where.line}`;
  };

  test('in debug mode, a finding on the property it set is on the override call; others stay at the construct', () => {
    const r = debugRun(true);
    expect(placeOf(r, 'SS-RDS-001')).toBe(`${FIXTURE_URI}:${lineOf('override')}`);
    expect(placeOf(r, 'SS-RDS-002')).toBe(`${FIXTURE_URI}:${lineOf('database')}`);
  });

  test('without debug mode aws-cdk-lib records no trace of it: the finding is at the construct', () => {
    expect(placeOf(debugRun(false), 'SS-RDS-001')).toBe(`${FIXTURE_URI}:${lineOf('database')}`);
  });
});

test('SARIF carries the same file, line and a column', () => {
  const doc = JSON.parse(readFileSync(join(outdir, 'compliance.sarif'), 'utf8')) as Sarif;
  expect(sarifSchemaErrors(doc)).toEqual([]);
  const bucket = doc.runs[0].results.filter((r) => r.ruleId.startsWith('AwsSolutions-S1'));
  const places = bucket.map((r) => r.locations[0].physicalLocation);
  expect(places.map((p) => `${p.artifactLocation.uri}:${p.region.startLine}`)).toEqual(
    expect.arrayContaining([`${FIXTURE_URI}:${lineOf('l2')}`, `${FIXTURE_URI}:${lineOf('l1')}`]),
  );
  for (const p of places) expect(p.region.startColumn).toBeGreaterThan(0);
});

test('paths are relative to the git repository that holds the working directory', () => {
  expect(repositoryRootOf(join(ROOT, 'test', 'fixtures'))).toBe(ROOT);
});

test('an L1 whose own trace ends inside aws-cdk-lib (a VPC subnet) is placed at its L2', () => {
  const app = new App({ outdir });
  const stack = new Stack(app, 'Deep');
  // Traces keep ten frames by default; with three, the subnet's ends inside aws-cdk-lib, the VPC's own does not.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 3;
  try {
    buildLocatedStack(stack);
  } finally {
    Error.stackTraceLimit = limit;
  }
  const subnet = stack.node.findChild('Vpc').node.findChild('PublicSubnet1').node.defaultChild!;
  const own = subnet.node.metadata.find((m) => m.type === 'aws:cdk:creationStack')!.data as string[];
  expect(own.join('\n')).not.toContain('located-app');
  expect(creationSite(subnet, ROOT)).toEqual({ uri: FIXTURE_URI, line: lineOf('vpc'), column: expect.any(Number) });
});

test('no source line outside the repository: the caller falls back to the template', () => {
  const app = new App({ outdir });
  const stack = new Stack(app, 'Elsewhere');
  buildLocatedStack(stack);
  expect(creationSite(stack.node.findChild('Plain'), join(ROOT, 'docs'))).toBeUndefined();
});
