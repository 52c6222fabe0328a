import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  App,
  Aspects,
  CfnResource,
  DefaultStackSynthesizer,
  IAspect,
  ISynthesisSession,
  Lazy,
  NestedStack,
  Stack,
  Stage,
  Validations,
} from 'aws-cdk-lib';
import { ArtifactType } from 'aws-cdk-lib/cloud-assembly-schema';
import * as rds from 'aws-cdk-lib/aws-rds';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import type { IConstruct } from 'constructs';
import { acknowledge } from '../../aspects/acknowledgements';
import { applyCompliance } from '../../aspects/compliance';
import { blocking } from '../../aspects/engine';
import { buildKitApp } from '../../lib/app';
import { ENVIRONMENT_NAMES } from '../../lib/profiles';
import { TODAY, judgeStack, resultsOf } from '../support/compliance';
import { compliantInstance } from '../support/constructs';
import { sarifSchemaErrors } from '../support/sarif-schema';

const manifestVersion = (
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }
).version;
const ALL_PACKS = 'AwsSolutions,HIPAA,NIST80053R5,PCIDSS321';
const tmp = () => mkdtempSync(join(tmpdir(), 'spendsense-gate-'));

function kitRun(context: Record<string, string>) {
  const app = new App({ outdir: tmp(), context });
  const kit = buildKitApp(app, { enforce: false, writeFiles: false, date: TODAY });
  app.synth();
  return kit.compliance.lastRun!;
}

describe("the kit's own stacks", () => {
  test.each(ENVIRONMENT_NAMES)('are clean in %s with every cdk-nag pack: each finding fixed or acknowledged', (env) => {
    const run = kitRun({ environment: env, nagPacks: ALL_PACKS });
    const open = run.results.filter((r) => r.status !== 'pass' && r.status !== 'acknowledged');
    expect(open).toEqual([]);
    expect(run.acknowledgements.every((a) => a.state === 'live')).toBe(true);
    expect(new Set(run.results.map((r) => r.source))).toEqual(
      new Set(['spendsense', 'AwsSolutions', 'HIPAA', 'NIST80053R5', 'PCIDSS321']),
    );
  });

  test.each(ENVIRONMENT_NAMES)('acknowledge every finding in %s with a reason an auditor can read', (env) => {
    const run = kitRun({ environment: env });
    for (const r of run.results.filter((x) => x.status === 'acknowledged')) {
      expect(r.acknowledgement!.reason.length).toBeGreaterThanOrEqual(40);
      expect(r.acknowledgement!.owner).toBe('spendsense-platform');
    }
  });

  test('fail synthesis in prod when deletion protection is off, with the rule, environment, path, value and fix', () => {
    const app = new App({ outdir: tmp(), context: { environment: 'prod', deletionProtection: 'false' } });
    buildKitApp(app, { date: TODAY, writeFiles: false });
    expect(() => app.synth()).toThrow(
      /\[prod\] SS-RDS-001 failed: Database deletion protection is on\. Found: DeletionProtection=false\.[\s\S]*SpendSense-Database-prod\/Default\/Database\/Resource[\s\S]*Set deletionProtection: true/,
    );
  });

  test("cannot be bypassed with aws-cdk-lib's own Validations.of(x).acknowledge()", () => {
    const app = new App({ outdir: tmp(), context: { environment: 'prod', multiAz: 'false' } });
    const kit = buildKitApp(app, { date: TODAY, writeFiles: false });
    for (const id of ['SpendSense::SS-RDS-002', 'SS-RDS-002', 'SpendSense::SS-ACK-001']) {
      Validations.of(kit.stacks[0].database).acknowledge({ id, reason: 'trying to get around the gate' });
    }
    let message = '';
    try {
      app.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/\[prod\] SS-RDS-002 failed: Database is Multi-AZ/);
    expect(message).toMatch(/\[prod\] SS-ACK-001 failed: .* made with Validations\.of\(x\)\.acknowledge\(\)/);
  });

  test('stay clean when dev opens a developer /32', () => {
    const run = kitRun({ environment: 'dev', allowedCidrs: '203.0.113.7/32' });
    expect(blocking(run.results)).toEqual([]);
    expect(resultsOf(run, 'SS-EC2-001')).toEqual([expect.objectContaining({ status: 'pass' })]);
  });
});

describe('what the gate judges', () => {
  test('resources changed by another aspect', () => {
    class Unprotect implements IAspect {
      visit(node: IConstruct) {
        if (node instanceof rds.CfnDBInstance) node.addPropertyOverride('DeletionProtection', false);
      }
    }
    const run = judgeStack('prod', (s) => {
      compliantInstance(s);
      Aspects.of(s).add(new Unprotect());
    });
    expect(resultsOf(run, 'SS-RDS-001')[0].status).toBe('fail');
  });

  test('resources added by another aspect', () => {
    class AddOpenIngress implements IAspect {
      visit(node: IConstruct) {
        if (Stack.isStack(node) && !node.node.tryFindChild('Added')) {
          new CfnResource(node, 'Added', {
            type: 'AWS::EC2::SecurityGroupIngress',
            properties: { GroupId: 'sg-1', IpProtocol: '-1', CidrIp: '0.0.0.0/0' },
          });
        }
      }
    }
    const run = judgeStack('prod', (s) => Aspects.of(s).add(new AddOpenIngress()));
    expect(resultsOf(run, 'SS-EC2-001')).toEqual([
      expect.objectContaining({ status: 'fail', constructPath: 'TeamStack/Added' }),
    ]);
  });

  test('templates brought in with CfnInclude', () => {
    const file = join(tmp(), 'legacy.json');
    writeFileSync(
      file,
      JSON.stringify({
        Resources: {
          LegacyDb: {
            Type: 'AWS::RDS::DBInstance',
            Properties: { Engine: 'postgres', DeletionProtection: false, MultiAZ: true },
          },
        },
      }),
    );
    const run = judgeStack('prod', (s) => new CfnInclude(s, 'Legacy', { templateFile: file }));
    expect(resultsOf(run, 'SS-RDS-001')).toEqual([
      expect.objectContaining({ status: 'fail', logicalId: 'LegacyDb', constructPath: 'TeamStack/Legacy/LegacyDb' }),
    ]);
  });

  test('every stack of the app, one nothing marks as prod', () => {
    const app = new App({ outdir: tmp() });
    const judged = new Stack(app, 'Judged');
    new rds.CfnDBInstance(judged, 'Db', { engine: 'postgres' });
    const other = new Stack(app, 'Other');
    new rds.CfnDBInstance(other, 'Db', { engine: 'postgres' });
    const plugin = applyCompliance(judged, { environment: 'dev', enforce: false, writeFiles: false, date: TODAY });
    app.synth();
    const envs = new Map(plugin.lastRun!.stacks.map((s) => [s.stack, s.environment]));
    expect(envs).toEqual(
      new Map([
        ['Judged', 'dev'],
        ['Other', 'prod'],
      ]),
    );
  });

  test("stacks inside a Stage, and nested stacks with their parent's environment", () => {
    const app = new App({ outdir: tmp() });
    const stage = new Stage(app, 'Prod');
    const parent = new Stack(stage, 'Team');
    const nested = new NestedStack(parent, 'Extras');
    new rds.CfnDBInstance(nested, 'Db', { engine: 'postgres' });
    const plugin = applyCompliance(app, { environment: 'prod', enforce: false, writeFiles: false, date: TODAY });
    app.synth();
    const run = plugin.lastRun!;
    expect(resultsOf(run, 'SS-RDS-001')).toEqual([
      expect.objectContaining({
        status: 'fail',
        environment: 'prod',
        stack: 'Prod-Team/Extras',
        constructPath: 'Prod/Team/Extras/Db',
      }),
    ]);
    expect(resultsOf(run, 'SS-CFN-002')).toEqual([expect.objectContaining({ status: 'pass', stack: 'Prod-Team' })]);
  });

  test('places findings through the construct tree when path metadata is forged or removed', () => {
    const run = judgeStack('prod', (s) => {
      const db = new rds.CfnDBInstance(s, 'Db', { engine: 'postgres' });
      db.addOverride('Metadata', { 'aws:cdk:path': 'TeamStack/Elsewhere/Resource' });
      new rds.CfnDBInstance(s, 'Bare', { engine: 'postgres' }).addOverride('Metadata', {});
    });
    expect(resultsOf(run, 'SS-RDS-001').map((r) => r.constructPath)).toEqual(['TeamStack/Bare', 'TeamStack/Db']);
  });

  test('ties a resource whose logical id is overridden to its own construct, even on a sibling natural id', () => {
    const run = judgeStack('prod', (s) => {
      // Open takes Closed's natural logical id; Closed moves away: each finding stays with the construct that made it.
      new rds.CfnDBInstance(s, 'Open', { engine: 'postgres', deletionProtection: false }).overrideLogicalId('Closed');
      new rds.CfnDBInstance(s, 'Closed', { engine: 'postgres', deletionProtection: true }).overrideLogicalId('Moved');
    });
    const byPath = Object.fromEntries(
      resultsOf(run, 'SS-RDS-001').map((r) => [r.constructPath, `${r.logicalId} ${r.status}`]),
    );
    expect(byPath).toEqual({ 'TeamStack/Open': 'Closed fail', 'TeamStack/Closed': 'Moved pass' });
  });

  describe('a logical id that resolves one way in the template and another for the gate', () => {
    /** Renders `inTemplate` where the template is written and `elsewhere` anywhere else. */
    const twoFaced = (inTemplate: string, elsewhere: string) =>
      Lazy.uncachedString({ produce: (ctx) => (ctx.documentPath[0] === 'Resources' ? inTemplate : elsewhere) });
    const SHORT = { engine: 'postgres', deletionProtection: true, backupRetentionPeriod: 1 };
    const LONG = { ...SHORT, backupRetentionPeriod: 30 };
    const ack = (c: IConstruct) =>
      acknowledge(c, {
        ruleId: 'SS-RDS-006',
        reason: 'A short retention is accepted for this copy.',
        owner: 'team',
        expires: '2027-01-31',
      });

    test.each([
      [
        "onto a sibling's natural id",
        (s: Stack) => {
          new rds.CfnDBInstance(s, 'Short', SHORT);
          const decoy = new rds.CfnDBInstance(s, 'Decoy', LONG);
          decoy.overrideLogicalId(twoFaced('Decoy', 'Short'));
          ack(decoy);
        },
      ],
      [
        'with the sibling moved away too',
        (s: Stack) => {
          new rds.CfnDBInstance(s, 'Short', SHORT).overrideLogicalId(twoFaced('Short', 'Elsewhere'));
          const decoy = new rds.CfnDBInstance(s, 'Decoy', LONG);
          decoy.overrideLogicalId(twoFaced('Decoy', 'Short'));
          ack(decoy);
        },
      ],
    ])('%s: passes no finding to the decoy, whose acknowledgement covers nothing', (_, build) => {
      const run = judgeStack('prod', build);
      const short = resultsOf(run, 'SS-RDS-006').find((r) => r.logicalId === 'Short')!;
      expect(short).toMatchObject({ status: 'fail' });
      expect(short.constructPath).not.toBe('TeamStack/Decoy');
      expect(resultsOf(run, 'SS-ACK-003')).toEqual([
        expect.objectContaining({ constructPath: 'TeamStack/Decoy', status: 'fail' }),
      ]);
    });

    test('an unclaimed resource is placed at a path no construct has, which no acknowledgement inside reaches', () => {
      const run = judgeStack('prod', (s) => {
        const db = new rds.CfnDBInstance(s, 'Short', SHORT);
        db.overrideLogicalId(twoFaced('Short', 'Gone'));
        ack(db);
      });
      expect(resultsOf(run, 'SS-RDS-006')).toEqual([
        expect.objectContaining({ logicalId: 'Short', constructPath: 'TeamStack/Short (unclaimed)', status: 'fail' }),
      ]);
    });
  });

  test('refuses a template in the cloud assembly that no stack of the app renders', () => {
    class Shadowing extends DefaultStackSynthesizer {
      override synthesize(session: ISynthesisSession): void {
        super.synthesize(session);
        writeFileSync(join(session.outdir, 'Shadow.template.json'), JSON.stringify({ Resources: {} }));
        session.assembly.addArtifact('Shadow', {
          type: ArtifactType.AWS_CLOUDFORMATION_STACK,
          environment: 'aws://unknown-account/unknown-region',
          properties: { templateFile: 'Shadow.template.json' },
        });
      }
    }
    const app = new App({ outdir: tmp() });
    new Stack(app, 'Team', { synthesizer: new Shadowing() });
    applyCompliance(app, { environment: 'prod', writeFiles: false, date: TODAY });
    expect(() => app.synth()).toThrow(/Shadow\.template\.json \(artifact Shadow\), which no stack of the app renders/);
  });

  test('a resource element claims only a template resource of its own type', () => {
    const run = judgeStack('prod', (s) => {
      const db = new rds.CfnDBInstance(s, 'Db', { engine: 'postgres', deletionProtection: true });
      db.addOverride('Type', 'AWS::RDS::DBCluster');
    });
    expect(resultsOf(run, 'SS-RDS-001').map((r) => r.constructPath)).toEqual(['TeamStack/Db (unclaimed)']);
  });

  test('lets applyCompliance make a kit stack stricter, never laxer', () => {
    const app = new App({ outdir: tmp(), context: { environment: 'prod', multiAz: 'false' } });
    const kit = buildKitApp(app, { enforce: false, writeFiles: false, date: TODAY });
    applyCompliance(kit.stacks[0], { environment: 'dev', minBackupRetentionDays: 1 });
    app.synth();
    const run = kit.compliance.lastRun!;
    expect(run.stacks.map((s) => s.environment)).toEqual(['prod']);
    expect(resultsOf(run, 'SS-RDS-002')).toEqual([expect.objectContaining({ status: 'fail', severity: 'error' })]);
  });

  test('never revives an expired acknowledgement with a compliance date in the past', () => {
    const run = judgeStack(
      'staging',
      (s) =>
        acknowledge(compliantInstance(s, { backupRetention: undefined }), {
          ruleId: 'SS-RDS-006',
          reason: 'Accepted for the migration window; tracked in the platform backlog.',
          owner: 'data-platform',
          expires: '2026-01-31',
        }),
      { date: '2025-12-01' },
    );
    expect(resultsOf(run, 'SS-RDS-006')[0]).toMatchObject({ status: 'fail' });
    expect(run.acknowledgements).toEqual([expect.objectContaining({ state: 'expired' })]);
  });

  describe('an earlier date cannot undercut a later one', () => {
    // Expires after the suite's pinned date (TODAY) and before any day these tests run on (2026-12-07 or later).
    const acknowledgedUntil = (expires: string) => (s: Stack) =>
      acknowledge(compliantInstance(s, { backupRetention: undefined }), {
        ruleId: 'SS-RDS-006',
        reason: 'Accepted for the migration window; tracked in the platform backlog.',
        owner: 'data-platform',
        expires,
      });
    afterEach(() => {
      jest.useRealTimers();
      delete process.env.SPENDSENSE_COMPLIANCE_DATE;
    });
    test('a Date the app replaces with an earlier day: the clock Node took at start still counts', () => {
      jest.useFakeTimers({ now: new Date('2025-01-01T00:00:00Z'), doNotFake: ['performance'] });
      expect(new Date().getUTCFullYear()).toBe(2025);
      const run = judgeStack('staging', acknowledgedUntil('2026-11-30'));
      expect(run.date > '2026-11-30').toBe(true);
      expect(run.acknowledgements).toEqual([expect.objectContaining({ state: 'expired' })]);
    });
    test('a date the app passes, earlier than the one CI sets in SPENDSENSE_COMPLIANCE_DATE', () => {
      process.env.SPENDSENSE_COMPLIANCE_DATE = '2099-06-01';
      const run = judgeStack('staging', acknowledgedUntil('2099-01-31'), { date: '2099-01-01' });
      expect(run.date).toBe('2099-06-01');
      expect(run.acknowledgements).toEqual([expect.objectContaining({ state: 'expired' })]);
    });
  });

  test('rejects a compliance date that is not a date', () => {
    const app = new App({ outdir: tmp(), context: { complianceDate: '25/11/2026' } });
    expect(() => applyCompliance(app, { environment: 'dev' })).toThrow(
      /^complianceDate: got '25\/11\/2026', expected a date YYYY-MM-DD/,
    );
  });
});

describe('machine-readable results', () => {
  function synthTo(outdir: string) {
    const app = new App({ outdir, context: { environment: 'dev', allowedCidrs: '198.51.100.0/24' } });
    buildKitApp(app, { date: TODAY, repositoryRoot: join(__dirname, '..', '..') });
    app.synth();
    return {
      json: readFileSync(join(outdir, 'compliance.json'), 'utf8'),
      sarif: readFileSync(join(outdir, 'compliance.sarif'), 'utf8'),
    };
  }
  const first = synthTo(tmp());

  test('compliance.json lists every check with rule, environment, stack, path, logical id, status and evidence', () => {
    const doc = JSON.parse(first.json);
    // A pinned date before today counts as today.
    const today = new Date().toISOString().slice(0, 10);
    expect(doc).toMatchObject({ version: 1, date: TODAY > today ? TODAY : today });
    expect(doc.results.length).toBeGreaterThan(5);
    for (const r of doc.results) {
      expect(Object.keys(r)).toEqual(
        expect.arrayContaining(['ruleId', 'environment', 'stack', 'constructPath', 'logicalId', 'status', 'evidence']),
      );
    }
    expect(doc.results).toContainEqual(
      expect.objectContaining({
        ruleId: 'SS-EC2-001',
        status: 'warn',
        evidence: 'CidrIp=198.51.100.0/24 (public) on ports 5432-5432',
      }),
    );
    expect(doc.acknowledgements.length).toBeGreaterThan(0);
  });

  test('SARIF 2.1.0 has one located result per open problem; acknowledged ones stay in compliance.json only', () => {
    const sarif = JSON.parse(first.sarif);
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0];
    expect(run.tool.driver).toMatchObject({ name: 'spendsense-compliance', version: manifestVersion });
    const doc = JSON.parse(first.json);
    const open = doc.results.filter((r: { status: string }) => r.status !== 'pass' && r.status !== 'acknowledged');
    const acknowledged = doc.results.filter((r: { status: string }) => r.status === 'acknowledged');
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(run.properties.acknowledgedFindings).toBe(acknowledged.length);
    expect(run.results.map((r: { ruleId: string }) => r.ruleId).sort()).toEqual(
      [...new Set(open.map((r: { ruleId: string }) => r.ruleId))].sort(),
    );
    for (const r of run.results) {
      const loc = r.locations[0].physicalLocation;
      expect(loc.artifactLocation.uri).not.toMatch(/^\//);
      expect(loc.region.startLine).toBeGreaterThan(0);
      expect(r.suppressions).toBeUndefined();
      expect(r.partialFingerprints).toBeUndefined();
      expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
    }
    // The full record of each acknowledgement is compliance.json's.
    expect(acknowledged[0].acknowledgement).toMatchObject({
      owner: 'spendsense-platform',
      expires: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      reason: expect.stringMatching(/.{20,}/),
    });
  });

  test('is byte-identical when synthesized again', () => {
    const second = synthTo(tmp());
    expect(second.json).toBe(first.json);
    expect(second.sarif).toBe(first.sarif);
  });
});
