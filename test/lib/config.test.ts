import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { App } from 'aws-cdk-lib';
import { EXIT_CONFIG, runKitApp } from '../../lib/app';
import { join } from 'node:path';
import { ConfigError, SUPPORTED_ENGINE_VERSIONS, isCidr, resolveConfig } from '../../lib/config';
import { profiles } from '../../lib/profiles';

function problemsOf(context: Record<string, unknown>): readonly string[] {
  try {
    resolveConfig(context);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveConfig', () => {
  test('selects all three environments by default, in order', () => {
    expect(resolveConfig({}).environments.map((e) => e.name)).toEqual(['dev', 'staging', 'prod']);
  });

  test('selects one environment with -c environment', () => {
    const { environments } = resolveConfig({ environment: 'prod' });
    expect(environments).toEqual([profiles.prod]);
  });

  test('applies typed overrides from CLI strings', () => {
    const [prod] = resolveConfig({
      environment: 'prod',
      region: 'eu-west-1',
      account: '123456789012',
      instanceClass: 'db.r7g.large',
      multiAz: 'false',
      deletionProtection: 'false',
      allocatedStorage: '200',
      maxAllocatedStorage: '400',
      storageType: 'io2',
      iops: '4000',
      backupRetentionDays: '21',
      engineVersion: '16.4',
      port: '6432',
      rdsProxy: 'false',
      rotationDays: '7',
      allowedCidrs: '10.0.0.0/8, 2001:db8::/64',
      removalPolicy: 'retain',
      nagPacks: 'NIST80053R5,HIPAA',
    }).environments;
    expect(prod).toMatchObject({
      region: 'eu-west-1',
      pinRegion: true,
      account: '123456789012',
      instanceClass: 'db.r7g.large',
      multiAz: false,
      deletionProtection: false,
      allocatedStorage: 200,
      maxAllocatedStorage: 400,
      storageType: 'io2',
      iops: 4000,
      backupRetentionDays: 21,
      engineVersion: '16.4',
      port: 6432,
      rdsProxy: false,
      rotationDays: 7,
      allowedCidrs: ['10.0.0.0/8', '2001:db8::/64'],
      removalPolicy: 'retain',
      nagPacks: ['AwsSolutions', 'HIPAA', 'NIST80053R5'],
    });
  });

  test('accepts typed values from cdk.json', () => {
    const [dev] = resolveConfig({
      environment: 'dev',
      multiAz: true,
      allocatedStorage: 30,
      allowedCidrs: ['203.0.113.7/32'],
    }).environments;
    expect(dev).toMatchObject({ multiAz: true, allocatedStorage: 30, allowedCidrs: ['203.0.113.7/32'] });
  });

  test('applies overrides to every environment when none is selected', () => {
    const envs = resolveConfig({ region: 'eu-central-1' }).environments;
    expect(envs.map((e) => e.region)).toEqual(['eu-central-1', 'eu-central-1', 'eu-central-1']);
  });

  test('does not change the default profiles', () => {
    resolveConfig({ environment: 'prod', multiAz: 'false' });
    expect(profiles.prod.multiAz).toBe(true);
  });

  test.each([
    ['environment', 'qa', /^environment: got 'qa', expected one of dev, staging, prod/],
    ['region', 'moon-1', /^region: got 'moon-1', expected an AWS region/],
    ['account', '12345', /^account: got '12345', expected a 12-digit/],
    ['instanceClass', 'bogus', /^instanceClass: got 'bogus', expected an RDS for PostgreSQL class/],
    ['instanceClass', 'db.z9.large', /^instanceClass: got 'db.z9.large'/],
    ['multiAz', 'yes', /^multiAz: got 'yes', expected true or false/],
    ['deletionProtection', '0', /^deletionProtection: got '0', expected true or false/],
    ['allocatedStorage', '-5', /^allocatedStorage: got '-5', expected a whole number from 20 to 65536 GiB/],
    ['allocatedStorage', '20.5', /^allocatedStorage: got '20.5'/],
    ['maxAllocatedStorage', 'lots', /^maxAllocatedStorage: got 'lots'/],
    ['storageType', 'magnetic', /^storageType: got 'magnetic', expected one of gp3, gp2, io1, io2/],
    ['iops', '50', /^iops: got '50', expected a whole number from 1000 to 256000/],
    ['backupRetentionDays', '36', /^backupRetentionDays: got '36', expected a whole number from 0 to 35 days/],
    ['engineVersion', '15.4', /^engineVersion: got '15.4', expected a PostgreSQL version of 16 or newer/],
    ['port', '80', /^port: got '80', expected a whole number from 1150 to 65535/],
    ['rdsProxy', 'maybe', /^rdsProxy: got 'maybe', expected true or false/],
    ['rotationDays', '0', /^rotationDays: got '0'/],
    ['allowedCidrs', '0.0.0.0', /^allowedCidrs: got '0.0.0.0', expected comma-separated CIDRs/],
    ['allowedCidrs', '10.0.0.0/33', /^allowedCidrs: got '10.0.0.0\/33'/],
    ['removalPolicy', 'keep', /^removalPolicy: got 'keep', expected one of snapshot, retain, destroy/],
    ['nagPacks', 'AwsSolutions,CIS', /^nagPacks: got 'AwsSolutions,CIS', expected comma-separated pack names/],
    ['vpcId', 'default', /^vpcId: got 'default', expected a VPC id/],
  ])('fails when %s is %p', (key, value, message) => {
    const problems = problemsOf({ environment: 'dev', [key]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  test('reports every bad value together, one line each', () => {
    const problems = problemsOf({ environment: 'prod', instanceClass: 'bogus', allocatedStorage: '-5', port: 'x' });
    expect(problems).toHaveLength(3);
    expect(problems.map((p) => p.split(':')[0])).toEqual(['instanceClass', 'allocatedStorage', 'port']);
  });

  test('fails when maxAllocatedStorage is not above allocatedStorage', () => {
    expect(problemsOf({ environment: 'dev', allocatedStorage: '100', maxAllocatedStorage: '100' })[0]).toMatch(
      /^maxAllocatedStorage: got 100, expected more than allocatedStorage 100 \(environment dev\)/,
    );
  });

  test('fails when io1 has no IOPS', () => {
    expect(problemsOf({ environment: 'prod', storageType: 'io1' })).toEqual([
      expect.stringMatching(/^iops: missing, expected 1000 to 256000 for storageType io1/),
    ]);
  });

  test('fails when gp2 has IOPS', () => {
    expect(problemsOf({ environment: 'prod', storageType: 'gp2', iops: '3000' })[0]).toMatch(
      /^iops: got 3000, expected none for storageType gp2/,
    );
  });

  test('fails when gp3 below 400 GiB has IOPS', () => {
    expect(problemsOf({ environment: 'dev', iops: '12000' })[0]).toMatch(
      /^iops: got 12000, expected none below 400 GiB of gp3/,
    );
  });

  test('fails when a VPC lookup has no account', () => {
    expect(problemsOf({ environment: 'dev', vpcId: 'vpc-0123456789abcdef0' })[0]).toMatch(
      /^vpcId: .* needs -c account=/,
    );
  });

  test('fails on a near-miss key instead of ignoring it', () => {
    expect(problemsOf({ environment: 'dev', instanceclass: 'db.t3.micro' })[0]).toMatch(
      /^instanceclass: unknown context key, did you mean instanceClass\?/,
    );
  });

  test.each([
    ['enviroment', 'environment'],
    ['instanceClas', 'instanceClass'],
    ['multiaz', 'multiAz'],
    ['backupRetention', 'backupRetentionDays'],
    ['compliancedate', 'complianceDate'],
  ])('fails on the unknown key %s, suggesting %s', (typo, known) => {
    expect(problemsOf({ [typo]: 'x' })).toEqual([
      `${typo}: unknown context key, did you mean ${known}? (-c ${known}=...)`,
    ]);
  });

  test('fails on an unknown key with nothing near it, listing the keys the kit reads', () => {
    expect(problemsOf({ teamName: 'orders' })[0]).toMatch(
      /^teamName: unknown context key; the kit reads environment, /,
    );
  });

  test('accepts the CDK’s own keys: feature flags, CLI settings, cached lookups', () => {
    expect(() =>
      resolveConfig({
        'aws-cdk:enableDiffNoFail': true,
        '@aws-cdk/core:newStyleStackSynthesis': true,
        '@aws-cdk/aws-rds:lowercaseDbIdentifier': true,
        'aws:cdk:enable-path-metadata': true,
        'cli-telemetry': false,
        'acknowledged-issue-numbers': [12345],
        'availability-zones:account=123456789012:region=eu-west-1': ['eu-west-1a'],
        'vpc-provider:account=123456789012:filter.vpc-id=vpc-1:region=eu-west-1:returnAsymmetricSubnets=true': {},
        complianceDate: '2026-12-01',
      }),
    ).not.toThrow();
  });
});

describe('SUPPORTED_ENGINE_VERSIONS', () => {
  test('lists PostgreSQL 16 and newer, majors and minors', () => {
    expect(SUPPORTED_ENGINE_VERSIONS).toEqual(expect.arrayContaining(['16', '16.4', '17']));
    expect(SUPPORTED_ENGINE_VERSIONS.every((v) => Number(v.split('.')[0]) >= 16)).toBe(true);
  });
});

describe('isCidr', () => {
  test.each(['10.0.0.0/8', '203.0.113.7/32', '0.0.0.0/0', '::/0', '2001:db8::1/128'])('accepts %s', (c) =>
    expect(isCidr(c)).toBe(true),
  );
  test.each(['10.0.0.0', '10.0.0.0/33', '300.0.0.0/8', '::/129', 'abc/8', '10.0.0.0/-1'])('rejects %s', (c) =>
    expect(isCidr(c)).toBe(false),
  );
});

describe('the app with bad overrides (what cdk synth runs)', () => {
  test.each([
    ['instanceClass', 'bogus'],
    ['allocatedStorage', '-5'],
    ['multiAz', 'maybe'],
    ['storageType', 'magnetic'],
    ['engineVersion', '13'],
    ['port', '22'],
    ['allowedCidrs', 'everyone'],
    ['backupRetentionDays', '99'],
    ['region', 'mars'],
    ['vpcId', 'vpc-1'],
    ['complianceDate', '2026-13-01'],
  ])('%s=%s prints its line, exits 2 and writes nothing', (key, value) => {
    const outdir = mkdtempSync(join(tmpdir(), 'spendsense-bad-'));
    const lines: string[] = [];
    const code = runKitApp(new App({ outdir, context: { environment: 'prod', [key]: value } }), (l) => lines.push(l));
    expect(code).toBe(EXIT_CONFIG);
    expect(lines[0]).toBe('SpendSense: invalid configuration, nothing synthesized:');
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^  ${key}: got '${value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}'`)),
    ]);
    expect(readdirSync(outdir)).toEqual([]);
  });
});
