import { CfnResource } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { keyRotation } from '../../../../aspects/rules';
import { judgeStack, resultsOf, statusOf } from '../../../support/compliance';

const ID = keyRotation.id;

describe(`${ID} KMS key rotation`, () => {
  test('passes an L2 key with rotation', () => {
    expect(
      statusOf(
        judgeStack('prod', (s) => new kms.Key(s, 'K', { enableKeyRotation: true })),
        ID,
      ),
    ).toBe('pass');
  });
  test.each(['dev', 'staging', 'prod'] as const)('fails an L2 key without rotation in %s', (env) => {
    expect(
      statusOf(
        judgeStack(env, (s) => new kms.Key(s, 'K')),
        ID,
      ),
    ).toBe('fail');
  });
  test('fails an L1 key', () => {
    expect(
      statusOf(
        judgeStack('prod', (s) => new kms.CfnKey(s, 'K', { keyPolicy: {}, enableKeyRotation: false })),
        ID,
      ),
    ).toBe('fail');
  });
  test('fails when an escape hatch turns rotation off', () => {
    const run = judgeStack('prod', (s) =>
      (new kms.Key(s, 'K', { enableKeyRotation: true }).node.defaultChild as kms.CfnKey).addPropertyOverride(
        'EnableKeyRotation',
        false,
      ),
    );
    expect(statusOf(run, ID)).toBe('fail');
  });
  test('fails a bare CfnResource key', () => {
    expect(
      statusOf(
        judgeStack('prod', (s) => new CfnResource(s, 'K', { type: 'AWS::KMS::Key', properties: { KeyPolicy: {} } })),
        ID,
      ),
    ).toBe('fail');
  });
  test('ignores asymmetric keys, which cannot rotate', () => {
    expect(
      resultsOf(
        judgeStack(
          'prod',
          (s) => new kms.Key(s, 'K', { keySpec: kms.KeySpec.RSA_2048, keyUsage: kms.KeyUsage.SIGN_VERIFY }),
        ),
        ID,
      ),
    ).toEqual([]);
  });
});
