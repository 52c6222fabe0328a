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
});
