import { CfnResource, Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { secretEncryption, secretRotation } from '../../../../aspects/rules';
import { judgeStack, resultsOf, statusOf } from '../../../support/compliance';

describe(`${secretEncryption.id} secrets use a customer-managed key`, () => {
  const ID = secretEncryption.id;
  test('passes an L2 secret with a key', () => {
    expect(
      statusOf(
        judgeStack(
          'prod',
          (s) => new secretsmanager.Secret(s, 'S', { encryptionKey: new kms.Key(s, 'K', { enableKeyRotation: true }) }),
        ),
        ID,
      ),
    ).toBe('pass');
  });
  test.each(['dev', 'staging', 'prod'] as const)('fails an L2 secret on the AWS-managed key in %s', (env) => {
    expect(
      statusOf(
        judgeStack(env, (s) => new secretsmanager.Secret(s, 'S')),
        ID,
      ),
    ).toBe('fail');
  });
  test('fails an L1 secret naming the aws/secretsmanager alias', () => {
    expect(
      statusOf(
        judgeStack('prod', (s) => new secretsmanager.CfnSecret(s, 'S', { kmsKeyId: 'alias/aws/secretsmanager' })),
        ID,
      ),
    ).toBe('fail');
  });
  test('fails when an escape hatch removes the key', () => {
    const run = judgeStack('prod', (s) => {
      const secret = new secretsmanager.Secret(s, 'S', {
        encryptionKey: new kms.Key(s, 'K', { enableKeyRotation: true }),
      });
      (secret.node.defaultChild as secretsmanager.CfnSecret).addPropertyDeletionOverride('KmsKeyId');
    });
    expect(statusOf(run, ID)).toBe('fail');
  });
  test('fails a bare CfnResource secret', () => {
    expect(
      statusOf(
        judgeStack('prod', (s) => new CfnResource(s, 'S', { type: 'AWS::SecretsManager::Secret', properties: {} })),
        ID,
      ),
    ).toBe('fail');
  });
});

describe(`${secretRotation.id} secrets rotate`, () => {
  const ID = secretRotation.id;
  const rotated = (s: Parameters<Parameters<typeof judgeStack>[1]>[0]) => {
    const secret = new secretsmanager.Secret(s, 'S');
    const fn = new lambda.Function(s, 'Rotator', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler=async()=>{}'),
    });
    secret.addRotationSchedule('Rotation', { rotationLambda: fn, automaticallyAfter: Duration.days(30) });
  };
  test('passes a secret with a rotation schedule', () => {
    expect(statusOf(judgeStack('prod', rotated), ID)).toBe('pass');
  });
  test.each([
    ['prod', 'fail'],
    ['staging', 'warn'],
  ] as const)('fails an L2 secret without rotation (%s: %s)', (env, status) => {
    expect(
      statusOf(
        judgeStack(env, (s) => new secretsmanager.Secret(s, 'S')),
        ID,
      ),
    ).toBe(status);
  });
  test('is not evaluated in dev', () => {
    expect(
      resultsOf(
        judgeStack('dev', (s) => new secretsmanager.Secret(s, 'S')),
        ID,
      ),
    ).toEqual([]);
  });
  test('fails an L1 secret and a bare CfnResource secret', () => {
    const run = judgeStack('prod', (s) => {
      new secretsmanager.CfnSecret(s, 'L1', {});
      new CfnResource(s, 'Bare', { type: 'AWS::SecretsManager::Secret' });
    });
    expect(resultsOf(run, ID).map((r) => r.status)).toEqual(['fail', 'fail']);
  });
  test('fails when an escape hatch points the schedule at another secret', () => {
    const run = judgeStack('prod', (s) => {
      rotated(s);
      (
        s.node.findChild('S').node.findChild('Rotation').node.defaultChild as secretsmanager.CfnRotationSchedule
      ).addPropertyOverride('SecretId', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:other');
    });
    expect(statusOf(run, ID)).toBe('fail');
  });
});
