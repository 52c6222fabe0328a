import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DatabaseStack, getProfile, profiles } from '../../lib';
import { cdkSynth } from '../support/cli';

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
