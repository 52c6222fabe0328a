import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DatabaseStack, getProfile, profiles } from '../../lib';
import { cdkSynth, cleanEnv, ROOT } from '../support/cli';
import { sarifSchemaErrors } from '../support/sarif-schema';

describe('npx cdk synth (the real CLI, no AWS credentials)', () => {
  test('writes the three environment templates', () => {
    const r = cdkSynth([]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    for (const env of ['dev', 'staging', 'prod']) {
      expect(existsSync(join(r.outdir, `SpendSense-Database-${env}.template.json`))).toBe(true);
    }
  });

  test('fails on bad overrides with one line per key and writes no template', () => {
    const r = cdkSynth(['-c', 'environment=prod', '-c', 'instanceClass=bogus', '-c', 'allocatedStorage=-5']);
    expect(r.status).not.toBe(0);
    const lines = r.stderr.split('\n');
    expect(lines.filter((l) => /^\s+instanceClass: got 'bogus'/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /^\s+allocatedStorage: got '-5'/.test(l))).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(readdirSync(r.outdir).filter((f) => f.endsWith('.template.json'))).toEqual([]);
  });
});

/** Each README block that starts `$ npx cdk synth ...`: its arguments and the lines it shows (`...` skips lines). */
function readmeSynthExamples(): { args: string[]; shown: string[] }[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/```\n\$ npx cdk synth([^\n]*)\n([\s\S]*?)```/g)].map((m) => ({
    args: m[1].trim().split(/\s+/),
    shown: m[2].split('\n').filter((l) => l.length > 0),
  }));
}

describe("the README's npx cdk synth examples", () => {
  const examples = readmeSynthExamples();

  test('are there', () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
  });

  test.each(examples.map((e) => [e.args.join(' '), e] as const))('print what they show: %s', (_args, example) => {
    const r = cdkSynth(example.args);
    const lines = `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trimEnd());
    // Every shown line appears, in order; '...' stands for any lines.
    let at = 0;
    const missing: string[] = [];
    for (const line of example.shown) {
      if (line === '...') continue;
      const found = lines.indexOf(line.trimEnd(), at);
      if (found < 0) missing.push(line);
      else at = found + 1;
    }
    expect(missing).toEqual([]);
    const code = /Subprocess exited with error (\d)/.exec(example.shown.join('\n'));
    expect(r.status).toBe(code ? 1 : 0);
  });
});

describe('npx cdk synth as the policy gate', () => {
  const fast = { CDK_VALIDATION: 'false' };

  test.each([
    [
      'deletionProtection=false',
      /\[prod\] SS-RDS-001 failed: Database deletion protection is on\. Found: DeletionProtection=false\./,
    ],
    ['multiAz=false', /\[prod\] SS-RDS-002 failed: Database is Multi-AZ\. Found: MultiAZ=false\./],
    [
      'allowedCidrs=0.0.0.0/0',
      /\[prod\] SS-EC2-001 failed: No security-group ingress from public address space\. Found: CidrIp=0\.0\.0\.0\/0 \(public\)/,
    ],
  ])('prod with %s exits non-zero naming the rule, path, value and fix', (override, message) => {
    const r = cdkSynth(['-c', 'environment=prod', '-c', override], fast);
    expect(r.status).not.toBe(0);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(message);
    expect(out).toMatch(/SpendSense-Database-prod\/Default\/(Database\/Resource|DatabaseSecurityGroup\/Resource)/);
    expect(out).toMatch(/Suggested fix: /);
    expect(out).not.toMatch(/\n\s+at .*\.js:\d+/); // no stack dump
  });

  test.each(['deletionProtection=false', 'multiAz=false', 'allowedCidrs=0.0.0.0/0'])(
    'dev with %s synthesizes',
    (override) => {
      const r = cdkSynth(['-c', 'environment=dev', '-c', override], fast);
      expect(r.status).toBe(0);
      expect(existsSync(join(r.outdir, 'SpendSense-Database-dev.template.json'))).toBe(true);
      if (override.startsWith('allowedCidrs'))
        expect(r.stdout + r.stderr).toMatch(/WARNING \[dev\] SS-EC2-001 warning/);
    },
  );

  test('fails a prod stack whose DeletionProtection is turned off by addPropertyOverride', () => {
    const r = cdkSynth(['--app', 'npx tsx test/fixtures/override-app.ts'], fast);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/\[prod\] SS-RDS-001 failed: .* Found: DeletionProtection=false\./);
  });

  test('fails when a validation plugin after the gate rewrites a template it judged', () => {
    const r = cdkSynth(['--app', 'npx tsx test/fixtures/rewriting-plugin-app.ts'], fast);
    const template = readFileSync(join(r.outdir, 'Team-Database-prod.template.json'), 'utf8');
    expect(template).toMatch(/"DeletionProtection": false/);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(
      /SpendSense policy gate: 1 file changed after the gate judged it \(Team-Database-prod\.template\.json\): synthesis fails/,
    );
  });

  test('writes compliance.json and compliance.sarif at every synth', () => {
    const r = cdkSynth(['-c', 'environment=staging'], fast);
    expect(r.status).toBe(0);
    const doc = JSON.parse(readFileSync(join(r.outdir, 'compliance.json'), 'utf8'));
    expect(doc.stacks).toEqual([{ stack: 'SpendSense-Database-staging', environment: 'staging' }]);
    const sarif = JSON.parse(readFileSync(join(r.outdir, 'compliance.sarif'), 'utf8'));
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    // Every finding of the kit's own staging stack is acknowledged: SARIF, for code scanning, lists none of them.
    expect(sarif.runs[0].results).toEqual([]);
    expect(sarif.runs[0].properties.acknowledgedFindings).toBeGreaterThan(0);
  });

  test('fails closed on a bad compliance date', () => {
    const r = cdkSynth(['-c', 'environment=dev', '-c', 'complianceDate=tomorrow'], fast);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/complianceDate: got 'tomorrow', expected a date YYYY-MM-DD/);
    expect(r.stderr).toMatch(/exited with error 2/);
  });
});

describe('bin/app.ts run without the CLI (node or tsx)', () => {
  const run = (context: Record<string, string>) => {
    const outdir = mkdtempSync(join(tmpdir(), 'spendsense-direct-'));
    return spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), ['bin/app.ts'], {
      cwd: ROOT,
      env: cleanEnv({ CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_VALIDATION: 'false' }),
      encoding: 'utf8',
      timeout: 120_000,
    });
  };

  test('exits 1 on a policy failure with the findings and a one-line summary, no stack trace', () => {
    const r = run({ environment: 'prod', multiAz: 'false' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\[prod\] SS-RDS-002 failed/);
    expect(r.stderr).toMatch(/^SpendSense: the policy gate failed; see the findings above and .*compliance\.json$/m);
    expect(r.stderr).not.toMatch(/\n\s+at |Node\.js v\d/);
  });

  test('exits 2 on a bad configuration, no stack trace', () => {
    const r = run({ environment: 'prod', instanceClass: 'bogus' });
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at |Node\.js v\d/);
  });
});

describe('library API', () => {
  test('composes a DatabaseStack in a fresh App beside a team stack', () => {
    const app = new App();
    new Stack(app, 'TeamStack');
    const stack = new DatabaseStack(app, 'MyDatabase', {
      profile: { ...getProfile('staging'), instanceClass: 'db.r7g.large' },
      description: 'team-owned',
    });
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.r7g.large' });
    expect(stack.templateOptions.description).toBe('team-owned');
    expect(profiles.staging.instanceClass).not.toBe('db.r7g.large');
  });
});
