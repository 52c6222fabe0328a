import { CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { noPublicResourcePolicy } from '../../../../aspects/rules';
import { judgeStack, resultsOf } from '../../../support/compliance';

const ID = noPublicResourcePolicy.id;
const verdicts = (run: ReturnType<typeof judgeStack>) =>
  resultsOf(run, ID).map((r) => `${r.resourceType} ${r.status} ${r.evidence}`);
const everyone = (conditions?: Record<string, unknown>) =>
  new iam.PolicyStatement({
    sid: 'Anyone',
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:Decrypt', 'secretsmanager:GetSecretValue'],
    resources: ['*'],
    ...(conditions ? { conditions } : {}),
  });

describe(`${ID} no key or secret policy allows every principal`, () => {
  test("passes an L2 key's default policy", () => {
    expect(verdicts(judgeStack('prod', (s) => new kms.Key(s, 'Key', { enableKeyRotation: true })))).toEqual([
      'AWS::KMS::Key pass no statement allows every principal unconditionally',
    ]);
  });

  test.each(['dev', 'prod'] as const)('fails an L2 key that lets any principal decrypt, in %s', (env) => {
    const run = judgeStack(env, (s) =>
      new kms.Key(s, 'Key', { enableKeyRotation: true }).addToResourcePolicy(everyone()),
    );
    expect(resultsOf(run, ID)).toEqual([
      expect.objectContaining({
        status: 'fail',
        severity: 'error',
        evidence: expect.stringMatching(/statement Anyone allows Principal \*/),
      }),
    ]);
  });

  test('passes Principal * tied to the account or organization by a condition', () => {
    const run = judgeStack('prod', (s) =>
      new kms.Key(s, 'Key', { enableKeyRotation: true }).addToResourcePolicy(
        everyone({
          StringEquals: { 'kms:CallerAccount': '111111111111', 'kms:ViaService': 'rds.us-east-1.amazonaws.com' },
        }),
      ),
    );
    expect(verdicts(run)).toEqual(['AWS::KMS::Key pass no statement allows every principal unconditionally']);
  });

  test('fails an escape hatch that writes AWS: * into the key policy, and an Allow with NotPrincipal', () => {
    const run = judgeStack('prod', (s) => {
      const key = new kms.Key(s, 'Key', { enableKeyRotation: true });
      (key.node.defaultChild as kms.CfnKey).addPropertyOverride('KeyPolicy.Statement.1', {
        Effect: 'Allow',
        Principal: { AWS: ['arn:aws:iam::111111111111:root', '*'] },
        Action: 'kms:*',
        Resource: '*',
      });
      (key.node.defaultChild as kms.CfnKey).addPropertyOverride('KeyPolicy.Statement.2', {
        Effect: 'Allow',
        NotPrincipal: { AWS: 'arn:aws:iam::111111111111:root' },
        Action: 'kms:Decrypt',
        Resource: '*',
      });
    });
    expect(verdicts(run)).toEqual([
      'AWS::KMS::Key fail statement 1 allows Principal * with no condition to an account or organization',
      'AWS::KMS::Key fail statement 2 allows everyone but NotPrincipal, with no condition to an account',
    ]);
  });

  test('fails a secret policy open to everyone with BlockPublicPolicy off; passes it while Secrets Manager blocks it', () => {
    const build = (block?: boolean) => (s: Parameters<Parameters<typeof judgeStack>[1]>[0]) => {
      const secret = new secretsmanager.Secret(s, 'Secret');
      new secretsmanager.CfnResourcePolicy(s, 'Policy', {
        secretId: secret.secretArn,
        resourcePolicy: new iam.PolicyDocument({ statements: [everyone()] }).toJSON(),
        ...(block === undefined ? {} : { blockPublicPolicy: block }),
      });
    };
    expect(verdicts(judgeStack('prod', build(false)))).toEqual([
      expect.stringMatching(/^AWS::SecretsManager::ResourcePolicy fail statement Anyone allows Principal \*/),
    ]);
    expect(verdicts(judgeStack('prod', build()))).toEqual([
      expect.stringMatching(/^AWS::SecretsManager::ResourcePolicy pass BlockPublicPolicy on/),
    ]);
  });

  describe('a condition ties Principal * to the team only when it requires concrete values', () => {
    const key = (conditions: Record<string, unknown>) => (s: Stack) =>
      new kms.Key(s, 'Key', { enableKeyRotation: true }).addToResourcePolicy(everyone(conditions));
    test.each([
      ['a negation', { StringNotEquals: { 'aws:PrincipalAccount': '111111111111' } }],
      [
        'IfExists, which matches a request without the key',
        { StringEqualsIfExists: { 'aws:PrincipalAccount': '111111111111' } },
      ],
      [
        'ForAllValues, which matches an empty set',
        { 'ForAllValues:StringEquals': { 'aws:PrincipalOrgID': 'o-abc123' } },
      ],
      ['Null', { Null: { 'aws:PrincipalOrgID': 'false' } }],
      ['a wildcard value', { StringLike: { 'aws:PrincipalAccount': '*' } }],
      ['an ARN of any account', { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/app' } }],
      ['every address', { IpAddress: { 'aws:VpcSourceIp': '0.0.0.0/0' } }],
      ["a private range of any account's VPC", { IpAddress: { 'aws:VpcSourceIp': '10.0.0.0/8' } }],
      ['a key that scopes nothing', { StringEquals: { 'kms:ViaService': 'rds.us-east-1.amazonaws.com' } }],
    ])('fails a condition that is %s', (_, conditions) => {
      expect(verdicts(judgeStack('prod', key(conditions)))).toEqual([
        'AWS::KMS::Key fail statement Anyone allows Principal * with no condition to an account or organization',
      ]);
    });
    test.each([
      ['an organization', { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } }],
      ['roles of one account', { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/app-*' } }],
      [
        'an organization path',
        { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': ['o-abc123/r-ab12/ou-ab12-11111111/*'] } },
      ],
      ['a VPC endpoint', { StringEquals: { 'aws:SourceVpce': 'vpce-0123456789abcdef0' } }],
      [
        'a private range of one VPC',
        {
          StringEquals: { 'aws:SourceVpc': 'vpc-0123456789abcdef0' },
          IpAddress: { 'aws:VpcSourceIp': '10.0.0.0/8' },
        },
      ],
    ])('passes a condition to %s', (_, conditions) => {
      expect(verdicts(judgeStack('prod', key(conditions)))).toEqual([
        'AWS::KMS::Key pass no statement allows every principal unconditionally',
      ]);
    });
    test("fails a secret policy (L2, BlockPublicPolicy off) open to a private range of any account's VPC", () => {
      const run = judgeStack('prod', (s) => {
        const secret = new secretsmanager.Secret(s, 'Secret');
        secret.addToResourcePolicy(
          new iam.PolicyStatement({
            principals: [new iam.AnyPrincipal()],
            actions: ['secretsmanager:GetSecretValue'],
            resources: ['*'],
            conditions: { IpAddress: { 'aws:VpcSourceIp': '10.0.0.0/8' } },
          }),
        );
        (secret.node.findChild('Policy').node.defaultChild as secretsmanager.CfnResourcePolicy).blockPublicPolicy =
          false;
      });
      expect(verdicts(run)).toEqual([
        expect.stringMatching(/^AWS::SecretsManager::ResourcePolicy fail statement 0 allows Principal \*/),
      ]);
    });
    test('cannot verify a scoping condition whose value is a parameter', () => {
      const run = judgeStack('prod', (s) =>
        key({ StringEquals: { 'aws:PrincipalAccount': new CfnParameter(s, 'Account').valueAsString } })(s),
      );
      expect(verdicts(run)).toEqual([
        'AWS::KMS::Key cannot-verify statement Anyone allows every principal, under a condition the template does not fix',
      ]);
    });
  });

  describe('a policy document in any form CloudFormation takes', () => {
    const open = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }],
    };
    test('fails an L1 key whose policy is a JSON string', () => {
      const run = judgeStack('prod', (s) =>
        new kms.CfnKey(s, 'Key', { enableKeyRotation: true, keyPolicy: {} }).addPropertyOverride(
          'KeyPolicy',
          JSON.stringify(open),
        ),
      );
      expect(verdicts(run)).toEqual([
        'AWS::KMS::Key fail statement 0 allows Principal * with no condition to an account or organization',
      ]);
    });
    test('fails a multi-Region replica key whose policy lets everyone in', () => {
      const run = judgeStack(
        'prod',
        (s) =>
          new kms.CfnReplicaKey(s, 'Replica', {
            primaryKeyArn: 'arn:aws:kms:us-east-1:111111111111:key/mrk-1234abcd12ab34cd56ef1234567890ab',
            keyPolicy: open,
          }),
      );
      expect(verdicts(run)).toEqual([
        'AWS::KMS::ReplicaKey fail statement 0 allows Principal * with no condition to an account or organization',
      ]);
    });
    test('fails a secret policy written as JSON text through an escape hatch', () => {
      const run = judgeStack('prod', (s) => {
        const secret = new secretsmanager.Secret(s, 'Secret');
        const policy = new secretsmanager.CfnResourcePolicy(s, 'Policy', {
          secretId: secret.secretArn,
          resourcePolicy: {},
          blockPublicPolicy: false,
        });
        policy.addPropertyOverride('ResourcePolicy', JSON.stringify(open));
      });
      expect(verdicts(run)).toEqual([
        'AWS::SecretsManager::ResourcePolicy fail statement 0 allows Principal * with no condition to an account or organization',
      ]);
    });
    test.each([
      [
        'a parameter',
        (s: Stack) => new CfnParameter(s, 'Policy').valueAsString,
        /KeyPolicy is \{"Ref":"Policy"\}, known only at deploy time/,
      ],
      ['text that is not JSON', () => '{ "Statement": [', /text that is not a JSON policy/],
      [
        'a statement from a parameter',
        (s: Stack) => ({ Statement: [Fn.ref(new CfnParameter(s, 'Statement').logicalId)] }),
        /statement 0 is .*does not fix/,
      ],
    ])('cannot verify a key policy that is %s', (_, policy, evidence) => {
      const run = judgeStack('prod', (s) =>
        new kms.CfnKey(s, 'Key', { enableKeyRotation: true, keyPolicy: {} }).addPropertyOverride(
          'KeyPolicy',
          policy(s),
        ),
      );
      expect(resultsOf(run, ID)).toEqual([
        expect.objectContaining({ status: 'cannot-verify', evidence: expect.stringMatching(evidence) }),
      ]);
    });
  });
});
