import { CfnResource, Stack } from 'aws-cdk-lib';
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
  describe('a multi-Region replica key, which rotates with its primary', () => {
    const replicaOf = (primaryKeyArn: string) => (s: Stack) =>
      new kms.CfnReplicaKey(s, 'Replica', { primaryKeyArn, keyPolicy: {} });
    test.each([
      [true, 'pass'],
      [false, 'fail'],
    ])('is judged by a primary key of the app (rotation %s: %s), followed through the export', (rotation, status) => {
      const run = judgeStack(
        'prod',
        () => undefined,
        {},
        (app) => {
          const primary = new kms.Key(new Stack(app, 'Primary'), 'Key', {
            enableKeyRotation: rotation,
            multiRegion: true,
          });
          replicaOf(primary.keyArn)(new Stack(app, 'Replicas'));
        },
      );
      expect(resultsOf(run, ID).filter((r) => r.stack === 'Replicas')).toEqual([
        expect.objectContaining({
          status,
          evidence: expect.stringMatching(/^the primary key Key[0-9A-F]+ of stack Primary: EnableKeyRotation=/),
        }),
      ]);
    });
    test('cannot verify one whose primary is outside the app (L1, by ARN)', () => {
      const run = judgeStack(
        'prod',
        replicaOf('arn:aws:kms:us-east-1:111111111111:key/mrk-1234abcd12ab34cd56ef1234567890ab'),
      );
      expect(resultsOf(run, ID)).toEqual([
        expect.objectContaining({
          status: 'cannot-verify',
          evidence: expect.stringMatching(/a replica key rotates with its primary key, which is outside this app/),
        }),
      ]);
    });
  });
});
