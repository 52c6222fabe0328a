import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { blocking } from '../../aspects/engine';
import { ConfigError } from '../../lib/config';
import { databaseNameProblem, databaseNames, MAX_NAME_LENGTH } from '../../lib/database/names';
import { DatabasePlatform } from '../../lib/database/platform';
import { DatabaseStack } from '../../lib/database-stack';
import { ENVIRONMENT_NAMES, getProfile, profiles, stackName } from '../../lib/profiles';
import { judgeStack, resultsOf } from '../support/compliance';

/** Every physical name a template gives its resources, as `<type> <name>`: names are unique per resource type. */
function physicalNames(t: Template): string[] {
  const props: Record<string, string> = {
    'AWS::RDS::DBInstance': 'DBInstanceIdentifier',
    'AWS::RDS::DBProxy': 'DBProxyName',
    'AWS::SecretsManager::Secret': 'Name',
    'AWS::KMS::Alias': 'AliasName',
    'AWS::Logs::LogGroup': 'LogGroupName',
  };
  const names: string[] = [];
  for (const [type, prop] of Object.entries(props)) {
    for (const r of Object.values(t.findResources(type))) {
      const value = (r.Properties as Record<string, unknown>)[prop];
      if (typeof value === 'string') names.push(`${type} ${value}`);
    }
  }
  for (const r of Object.values(t.findResources('AWS::SecretsManager::RotationSchedule'))) {
    const hosted = (r.Properties as { HostedRotationLambda?: { RotationLambdaName?: unknown } }).HostedRotationLambda;
    if (typeof hosted?.RotationLambdaName === 'string')
      names.push(`AWS::Lambda::Function ${hosted.RotationLambdaName}`);
  }
  return names;
}

describe('DatabasePlatform in a team stack', () => {
  test('derives every physical name from its name, so two prod databases in one account never collide', () => {
    const app = new App();
    const stack = new Stack(app, 'Orders');
    new DatabasePlatform(stack, 'Orders', { name: 'orders', profile: getProfile('prod') });
    new DatabasePlatform(stack, 'Billing', { name: 'billing', profile: getProfile('prod') });
    const kit = new DatabaseStack(app, stackName('prod'), { profile: getProfile('prod') });

    const team = physicalNames(Template.fromStack(stack));
    const ours = physicalNames(Template.fromStack(kit));
    expect(team).toEqual(
      expect.arrayContaining([
        'AWS::RDS::DBInstance orders-prod',
        'AWS::RDS::DBInstance billing-prod',
        'AWS::RDS::DBProxy orders-prod',
        'AWS::KMS::Alias alias/orders/prod/database',
        'AWS::SecretsManager::Secret orders/prod/database/credentials',
        'AWS::SecretsManager::Secret billing/prod/database/connection',
        'AWS::Logs::LogGroup /aws/rds/instance/orders-prod/postgresql',
        'AWS::Lambda::Function orders-prod-credentials-rotation',
      ]),
    );
    expect(new Set(team).size).toBe(team.length);
    expect(team.filter((n) => ours.includes(n))).toEqual([]);
  });

  test.each(ENVIRONMENT_NAMES)('keeps the kit stack (%s) on the names the seed promises', (env) => {
    const t = Template.fromStack(new DatabaseStack(new App(), stackName(env), { profile: profiles[env] }));
    expect(physicalNames(t)).toEqual(
      expect.arrayContaining([
        `AWS::RDS::DBInstance spendsense-${env}`,
        `AWS::SecretsManager::Secret spendsense/${env}/database/credentials`,
        `AWS::SecretsManager::Secret spendsense/${env}/database/connection`,
        `AWS::KMS::Alias alias/spendsense/${env}/database`,
        `AWS::Logs::LogGroup /aws/rds/instance/spendsense-${env}/postgresql`,
        `AWS::Lambda::Function spendsense-${env}-credentials-rotation`,
      ]),
    );
  });

  test('keeps the logical ids of stacks deployed before the construct existed, so nothing is replaced', () => {
    // A changed logical id replaces the resource on deploy: for the instance, that is a new, empty database.
    const t = Template.fromStack(new DatabaseStack(new App(), stackName('prod'), { profile: profiles.prod }));
    expect(Object.keys(t.findResources('AWS::RDS::DBInstance'))).toEqual(['DatabaseB269D8BB']);
    expect(Object.keys(t.findResources('AWS::KMS::Key'))).toEqual(['Key961B73FD']);
  });

  test('uses the VPC it is given instead of creating one', () => {
    const stack = new Stack(new App(), 'Orders');
    const vpc = new ec2.Vpc(stack, 'TeamVpc', { natGateways: 1 });
    const platform = new DatabasePlatform(stack, 'Db', { name: 'orders', profile: getProfile('staging'), vpc });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::EC2::VPC', 1);
    expect(platform.vpc).toBe(vpc);
    expect(platform.secretsManagerEndpoint).toBeUndefined();
    t.hasResourceProperties('AWS::RDS::DBSubnetGroup', {
      SubnetIds: vpc.privateSubnets.map((s) => stack.resolve(s.subnetId)),
    });
  });

  test('is judged by its profile: a prod database stays prod under applyCompliance(app, dev)', () => {
    const run = judgeStack('dev', (stack) => {
      new DatabasePlatform(stack, 'Orders', { name: 'orders', profile: { ...getProfile('prod'), multiAz: false } });
    });
    const multiAz = resultsOf(run, 'SS-RDS-002');
    expect(multiAz.map((r) => [r.environment, r.status])).toEqual([['prod', 'fail']]);
    expect(blocking(run.results).map((r) => r.ruleId)).toContain('SS-RDS-002');
  });

  test('a prod database in a team stack is clean with every pack its profile selects', () => {
    const run = judgeStack('prod', (stack) => {
      new DatabasePlatform(stack, 'Orders', { name: 'orders', profile: getProfile('prod') });
    });
    expect(blocking(run.results).map((r) => `${r.ruleId} ${r.constructPath}`)).toEqual([]);
  });

  test.each([
    ['Orders', 'uppercase'],
    ['9orders', 'a digit first'],
    ['orders-', 'a hyphen last'],
    ['or--ders', 'two hyphens'],
    ['', 'empty'],
    ['o'.repeat(MAX_NAME_LENGTH + 1), 'too long'],
  ])('fails when the name is %j (%s), with the construct path, the value and the rule', (name) => {
    const stack = new Stack(new App(), 'Orders');
    expect(() => new DatabasePlatform(stack, 'Db', { name, profile: getProfile('dev') })).toThrow(ConfigError);
    expect(() => new DatabasePlatform(stack, 'Db2', { name, profile: getProfile('dev') })).toThrow(
      new RegExp(`Orders/Db2: name: got '${name}', expected 1 to ${MAX_NAME_LENGTH} lowercase letters`),
    );
  });

  test('accepts the longest name, whose longest derived name fits a Lambda function name', () => {
    const name = 'o'.repeat(MAX_NAME_LENGTH);
    expect(databaseNameProblem(name)).toBeUndefined();
    expect(databaseNames(name, 'staging').rotationFunctionName).toHaveLength(64);
  });
});
