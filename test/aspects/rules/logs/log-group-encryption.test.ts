import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { logGroupEncryption } from '../../../../aspects/rules';
import { judgeStack, statusOf } from '../../../support/compliance';

const ID = logGroupEncryption.id;

describe(`${ID} log group key`, () => {
  test('passes a customer-managed key', () => {
    const run = judgeStack(
      'prod',
      (s) => new logs.LogGroup(s, 'L', { encryptionKey: new kms.Key(s, 'K', { enableKeyRotation: true }) }),
    );
    expect(statusOf(run, ID)).toBe('pass');
  });
  test.each([
    ['prod', 'fail'],
    ['staging', 'warn'],
    ['dev', 'warn'],
  ] as const)('in %s, a log group with no key: %s', (env, status) => {
    expect(
      statusOf(
        judgeStack(env, (s) => new logs.LogGroup(s, 'L')),
        ID,
      ),
    ).toBe(status);
  });
  test('cannot verify a key ARN from outside the app', () => {
    const run = judgeStack(
      'prod',
      (s) =>
        new logs.CfnLogGroup(s, 'L', {
          kmsKeyId: 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        }),
    );
    expect(statusOf(run, ID)).toBe('cannot-verify');
  });
});
