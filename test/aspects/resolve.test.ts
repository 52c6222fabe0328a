import { Resolver } from '../../aspects/resolve';
import type { CfnTemplate } from '../../aspects/template';

const template: CfnTemplate = {
  Parameters: { Open: { Type: 'String' } },
  Resources: {
    Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.20.0.0/16' } },
    PoolVpc: { Type: 'AWS::EC2::VPC', Properties: { Ipv4IpamPoolId: 'ipam-pool-1' } },
    MaybeVpc: { Type: 'AWS::EC2::VPC', Condition: 'Sometimes', Properties: { CidrBlock: '10.9.0.0/16' } },
    Key: { Type: 'AWS::KMS::Key', Properties: {} },
  },
};

describe('Resolver', () => {
  const r = new Resolver('Here', template);

  test("reads a VPC's CidrBlock through Fn::GetAtt and says so", () => {
    expect(r.resolve({ 'Fn::GetAtt': ['Vpc', 'CidrBlock'] })).toEqual({
      kind: 'literal',
      value: '10.20.0.0/16',
      via: ['Vpc.CidrBlock=10.20.0.0/16'],
    });
  });

  test('leaves a CidrBlock IPAM assigns, or of a conditional VPC, as a reference', () => {
    expect(r.resolve({ 'Fn::GetAtt': ['PoolVpc', 'CidrBlock'] })).toMatchObject({
      kind: 'resource',
      logicalId: 'PoolVpc',
    });
    expect(r.resolve({ 'Fn::GetAtt': ['MaybeVpc', 'CidrBlock'] })).toMatchObject({ kind: 'resource' });
  });

  test('names a resource behind Ref or GetAtt with its type', () => {
    expect(r.resolve({ Ref: 'Key' })).toMatchObject({ kind: 'resource', type: 'AWS::KMS::Key', stack: 'Here' });
    expect(r.resolve({ 'Fn::GetAtt': 'Key.Arn' })).toMatchObject({ kind: 'resource', attribute: 'Arn' });
  });

  test('keeps pseudo parameters as deploy-time parts of a joined or substituted string', () => {
    const joined = r.resolve({ 'Fn::Join': [':', ['arn', { Ref: 'AWS::Partition' }, 'kms', 'alias/aws/rds']] });
    expect(joined).toEqual({ kind: 'expression', text: 'arn:${AWS::Partition}:kms:alias/aws/rds', via: [] });
    expect(
      r.resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/aws/rds' }),
    ).toMatchObject({
      kind: 'expression',
      text: 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/aws/rds',
    });
    expect(r.resolve({ 'Fn::Join': ['', ['a', 'b']] })).toMatchObject({ kind: 'literal', value: 'ab' });
  });

  test('does not know a parameter, an unknown import or a condition', () => {
    expect(r.resolve({ Ref: 'Open' })).toEqual({ kind: 'unknown', why: 'parameter Open' });
    expect(r.resolve({ 'Fn::ImportValue': 'Nobody:Exports' })).toMatchObject({ kind: 'unknown' });
    expect(r.resolve({ 'Fn::If': ['C', 1, 2] })).toEqual({ kind: 'unknown', why: 'condition C' });
  });

  test("follows Fn::ImportValue to the exporting stack's resource", () => {
    const exporter = new Resolver('Keys', {
      Resources: { TeamKey: { Type: 'AWS::KMS::Key' } },
      Outputs: { K: { Value: { 'Fn::GetAtt': ['TeamKey', 'Arn'] }, Export: { Name: 'Keys:TeamKeyArn' } } },
    });
    const app = {
      exports: new Map([['Keys:TeamKeyArn', [{ resolver: exporter, value: { 'Fn::GetAtt': ['TeamKey', 'Arn'] } }]]]),
    };
    const importer = new Resolver('Db', { Resources: {} }, app);
    expect(importer.resolve({ 'Fn::ImportValue': 'Keys:TeamKeyArn' })).toMatchObject({
      kind: 'resource',
      stack: 'Keys',
      logicalId: 'TeamKey',
      via: ['export Keys:TeamKeyArn of Keys'],
    });
  });

  test('an import reaches only the export of a stack in its own account and Region', () => {
    const key = (stack: string, env: string) =>
      new Resolver(stack, { Resources: { TeamKey: { Type: 'AWS::KMS::Key' } } }, undefined, undefined, env);
    const exported = (resolver: Resolver) => ({ resolver, value: { 'Fn::GetAtt': ['TeamKey', 'Arn'] } });
    const us = key('UsKeys', '111111111111/us-east-1');
    const eu = key('EuKeys', '111111111111/eu-west-1');
    const euAgain = key('EuKeysAgain', '111111111111/eu-west-1');
    const importerIn = (env: string, exporters: Resolver[]) =>
      new Resolver('Db', { Resources: {} }, { exports: new Map([['DbKey', exporters.map(exported)]]) }, undefined, env);
    const imported = { 'Fn::ImportValue': 'DbKey' };

    expect(importerIn('111111111111/eu-west-1', [us, eu]).resolve(imported)).toMatchObject({ stack: 'EuKeys' });
    expect(importerIn('111111111111/eu-west-1', [us]).resolve(imported)).toEqual({
      kind: 'unknown',
      why: 'the imported value DbKey, exported only by stacks of another account or Region (UsKeys)',
    });
    expect(importerIn('111111111111/eu-west-1', [eu, euAgain]).resolve(imported)).toEqual({
      kind: 'unknown',
      why: 'the imported value DbKey, exported by 2 stacks of one account and Region',
    });
    // An env-agnostic stack reaches env-agnostic exports only, and definition() follows the same rule.
    expect(importerIn('*/*', [us]).definition(imported).resolver.stack).toBe('Db');
    expect(importerIn('111111111111/us-east-1', [us, eu]).definition(imported).resolver.stack).toBe('UsKeys');
  });

  test("reads a nested stack's parameter from what the parent passes", () => {
    const parent = new Resolver('Parent', template);
    const nested = new Resolver(
      'Nested',
      { Parameters: { VpcCidr: { Type: 'String' } }, Resources: {} },
      undefined,
      (name) => (name === 'VpcCidr' ? { value: { 'Fn::GetAtt': ['Vpc', 'CidrBlock'] }, resolver: parent } : undefined),
    );
    expect(nested.resolve({ Ref: 'VpcCidr' })).toMatchObject({ kind: 'literal', value: '10.20.0.0/16' });
  });
});
