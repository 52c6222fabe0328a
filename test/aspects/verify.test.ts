import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnOutput, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { acknowledge } from '../../aspects/acknowledgements';
import { applyCompliance } from '../../aspects/compliance';
import { verdictOf, verifyAssembly } from '../../aspects/verify';
import { DatabaseStack } from '../../lib/database-stack';
import { getProfile } from '../../lib/profiles';
import { bundledCommand } from '../support/bundle';
import { TODAY } from '../support/compliance';

/**
 * The verifier judges a cloud assembly on disk with no code of the app loaded: what a pipeline runs between `cdk synth`
 * and `cdk deploy --app cdk.out`. Each app is synthesized here (the gate in the app records, never fails, in Jest), then
 * the assembly is changed as code running after the app's gate could change it.
 */
const OPTIONS = { today: TODAY } as const;

function synth(build: (app: App) => void): string {
  const outdir = mkdtempSync(join(tmpdir(), 'spendsense-verify-'));
  const app = new App({ outdir });
  build(app);
  applyCompliance(app, { enforce: false, writeFiles: false, date: TODAY });
  app.synth();
  return outdir;
}

const kitProd = (app: App | Stage) =>
  new DatabaseStack(app, 'SpendSense-Database-prod', { profile: getProfile('prod') });

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}

function rewrite(file: string, change: (template: { Resources: Record<string, Resource> }) => void): void {
  const template = JSON.parse(readFileSync(file, 'utf8')) as { Resources: Record<string, Resource> };
  change(template);
  writeFileSync(file, JSON.stringify(template));
}

const failures = (dir: string, environment: 'dev' | 'staging' | 'prod', stacks: string[] = []) => {
  const v = verifyAssembly(dir, { ...OPTIONS, environment, stacks });
  return [
    ...v.problems,
    ...v.stacks.flatMap((s) =>
      s.results
        .filter((r) => r.severity === 'error' && ['fail', 'cannot-verify'].includes(r.status))
        .map((r) => r.ruleId),
    ),
  ];
};

describe('verifyAssembly', () => {
  test("passes the kit's prod stack as synthesized, its acknowledgements read from the assembly", () => {
    const dir = synth(kitProd);
    const v = verifyAssembly(dir, { ...OPTIONS, environment: 'prod' });
    expect(v.stacks.map((s) => s.stack)).toEqual(['SpendSense-Database-prod']);
    expect(verdictOf(v).blocking).toBe(0);
    expect(v.stacks[0].results.filter((r) => r.status === 'acknowledged').map((r) => r.ruleId)).toEqual(['SS-SM-002']);
  });

  test('fails a template rewritten after the app judged it (L1 property), naming the rule', () => {
    const dir = synth(kitProd);
    rewrite(join(dir, 'SpendSense-Database-prod.template.json'), (t) => {
      for (const r of Object.values(t.Resources)) {
        if (r.Type === 'AWS::RDS::DBInstance') r.Properties.DeletionProtection = false;
      }
    });
    expect(failures(dir, 'prod')).toEqual(['SS-RDS-001']);
  });

  test("fails a nested stack's template rewritten to open the database port", () => {
    const dir = synth((app) => {
      const stack = kitProd(app);
      const extras = new NestedStack(stack, 'Extras');
      new ec2.SecurityGroup(extras, 'Clients', { vpc: stack.vpc, allowAllOutbound: false });
    });
    const file = /"([^"]*Extras[^"]*\.nested\.template\.json)"/.exec(
      readFileSync(join(dir, 'SpendSense-Database-prod.assets.json'), 'utf8'),
    )![1];
    rewrite(join(dir, file), (t) => {
      for (const r of Object.values(t.Resources)) {
        if (r.Type === 'AWS::EC2::SecurityGroup') {
          r.Properties.SecurityGroupIngress = [
            { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, CidrIp: '0.0.0.0/0' },
          ];
        }
      }
    });
    expect(failures(dir, 'prod')).toEqual(['SS-EC2-001']);
  });

  test('fails a template object an asset uploads from another file', () => {
    const dir = synth(kitProd);
    const assetsFile = join(dir, 'SpendSense-Database-prod.assets.json');
    const assets = JSON.parse(readFileSync(assetsFile, 'utf8')) as {
      files: Record<string, { source: { path: string } }>;
    };
    for (const a of Object.values(assets.files)) {
      if (a.source.path === 'SpendSense-Database-prod.template.json') a.source.path = 'deployed.json';
    }
    writeFileSync(join(dir, 'deployed.json'), '{"Resources":{}}');
    writeFileSync(assetsFile, JSON.stringify(assets));
    expect(failures(dir, 'prod')).toEqual([
      expect.stringMatching(
        /^SpendSense-Database-prod deploys its template from deployed\.json, which the gate did not judge/,
      ),
    ]);
  });

  test('judges every stack at least as the environment the pipeline names, whatever the app marked it', () => {
    const dir = synth((app) => {
      const stack = new Stack(app, 'Orders');
      applyCompliance(stack, { environment: 'dev', enforce: false, writeFiles: false });
      new rds.CfnDBInstance(stack, 'Db', { engine: 'postgres', dbInstanceClass: 'db.m7g.large' }).addPropertyOverride(
        'DeletionProtection',
        false,
      );
    });
    expect(failures(dir, 'dev')).not.toContain('SS-RDS-001');
    expect(failures(dir, 'prod')).toContain('SS-RDS-001');
  });

  test('finds a stack inside a Stage, by its display name', () => {
    const dir = synth((app) => kitProd(new Stage(app, 'Prod')));
    const v = verifyAssembly(dir, { ...OPTIONS, environment: 'prod', stacks: ['Prod/*'] });
    expect(v.stacks.map((s) => s.stack)).toEqual(['Prod/SpendSense-Database-prod']);
    expect(verdictOf(v).blocking).toBe(0);
  });

  test('judges the stacks a named stack depends on, which cdk deploy deploys with it', () => {
    const dir = synth((app) => {
      const data = new Stack(app, 'Data');
      const db = new rds.CfnDBInstance(data, 'Db', { engine: 'postgres', dbInstanceClass: 'db.m7g.large' });
      const service = new Stack(app, 'Service');
      new CfnOutput(service, 'DatabaseId', { value: db.ref });
    });
    const v = verifyAssembly(dir, { ...OPTIONS, environment: 'prod', stacks: ['Service'] });
    expect(v.stacks.map((s) => s.stack).sort()).toEqual(['Data', 'Service']);
    expect(failures(dir, 'prod', ['Service'])).toContain('SS-RDS-001');
  });

  test('a logical id two construct paths claim (forged metadata) is claimed by neither', () => {
    const dir = synth((app) => {
      const { database } = kitProd(app);
      const cfn = database.node.defaultChild as rds.CfnDBInstance;
      cfn.addPropertyOverride('BackupRetentionPeriod', 1);
      const decoy = new Construct(app.node.findChild('SpendSense-Database-prod'), 'Decoy');
      decoy.node.addMetadata('aws:cdk:logicalId', Stack.of(cfn).getLogicalId(cfn));
      acknowledge(decoy, {
        ruleId: 'SS-RDS-006',
        reason: 'One day is enough for this one, says the team.',
        owner: 'team',
        expires: '2099-01-01',
      });
    });
    const v = verifyAssembly(dir, { ...OPTIONS, environment: 'prod' });
    const backups = v.stacks[0].results.filter((r) => r.ruleId === 'SS-RDS-006');
    expect(backups.map((r) => `${r.status} ${r.constructPath}`)).toEqual([
      expect.stringMatching(/^fail SpendSense-Database-prod\/\w+ \(unclaimed\)$/),
    ]);
  });

  test('honours an acknowledgement prod allows, and refuses one prod forbids', () => {
    const dir = synth((app) => {
      const { database } = kitProd(app);
      const cfn = database.node.defaultChild as rds.CfnDBInstance;
      cfn.addPropertyOverride('BackupRetentionPeriod', 7);
      cfn.addPropertyOverride('MultiAZ', false);
      for (const ruleId of ['SS-RDS-006', 'SS-RDS-002']) {
        acknowledge(database, {
          ruleId,
          reason: 'Orders keeps 7 days; the nightly export covers the rest.',
          owner: 'data-platform',
          expires: '2099-01-01',
        });
      }
    });
    const v = verifyAssembly(dir, { ...OPTIONS, environment: 'prod' });
    const byRule = (id: string) => v.stacks[0].results.filter((r) => r.ruleId === id).map((r) => r.status);
    expect(byRule('SS-RDS-006')).toEqual(['acknowledged']);
    expect(byRule('SS-RDS-002')).toEqual(['fail']);
    expect(byRule('SS-ACK-002')).toEqual(['fail']);
  });
});

describe('spendsense-verify, the command', () => {
  const run = (args: string[]) => {
    const [node, argv] = bundledCommand('bin/verify.ts', args);
    const r = spawnSync(node, argv, { encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, stderr: r.stderr };
  };
  let dir: string;
  beforeAll(() => {
    dir = synth(kitProd);
  });
  test('exits 0 on a compliant assembly, with one summary line', () => {
    const r = run(['--assembly', dir, '--environment', 'prod']);
    expect(r.stderr.trim().split('\n')).toEqual(['SpendSense verify: 1 stack judged, 0 blocking problems']);
    expect(r.status).toBe(0);
  });
  test('exits 1 on a blocking finding, naming the rule, the resource and the fix', () => {
    const tampered = synth(kitProd);
    rewrite(join(tampered, 'SpendSense-Database-prod.template.json'), (t) => {
      for (const r of Object.values(t.Resources)) {
        if (r.Type === 'AWS::RDS::DBInstance') r.Properties.StorageEncrypted = false;
      }
    });
    const r = run(['--assembly', tampered, '--environment', 'prod']);
    expect(r.stderr).toMatch(/^ERROR \[prod\] SS-RDS-003 failed: .*Found: StorageEncrypted=false\./m);
    expect(r.stderr).toMatch(/Suggested fix: /);
    expect(r.status).toBe(1);
  });
  test.each([
    [['--environment', 'prd'], /--environment: got 'prd', expected one of dev, staging, prod/],
    [['--environment', 'prod', '--date', '01/12/2026'], /--date: got '01\/12\/2026', expected a date YYYY-MM-DD/],
    [['--environment', 'prod', 'Nope'], /no stack of .* is named Nope \(stacks: SpendSense-Database-prod\)/],
    [['--environment', 'prod', '--assembly', '/nonexistent-assembly'], /--assembly \/nonexistent-assembly: /],
    [
      ['--environment', 'prod', '--assembly', 'MISSING_TEMPLATE'],
      /template .*SpendSense-Database-prod\.template\.json: ENOENT/,
    ],
  ])('exits 2 with one line for %j', (args, message) => {
    const missing = () => {
      const broken = synth(kitProd);
      rmSync(join(broken, 'SpendSense-Database-prod.template.json'));
      return broken;
    };
    const given = args.map((a) => (a === 'MISSING_TEMPLATE' ? missing() : a));
    const r = run(given.includes('--assembly') ? given : [...given, '--assembly', dir]);
    expect(r.stderr.split('\n')[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.status).toBe(2);
  });
});
