import { CfnResource } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { storageEncryption } from '../../../../aspects/rules';
import { judgeStack, resultsOf, statusOf } from '../../../support/compliance';
import { cfnOf, compliantInstance } from '../../../support/constructs';

const ID = storageEncryption.id;

describe(`${ID} storage encrypted with a customer-managed key`, () => {
  test('passes an L2 instance with its own key', () => {
    expect(
      resultsOf(
        judgeStack('prod', (s) => compliantInstance(s)),
        ID,
      )[0],
    ).toMatchObject({ status: 'pass' });
  });

  test.each(['dev', 'staging', 'prod'] as const)('fails with the AWS-managed key in %s', (env) => {
    const run = judgeStack(env, (s) => compliantInstance(s, { storageEncryptionKey: undefined }));
    expect(resultsOf(run, ID)[0]).toMatchObject({
      status: 'fail',
      severity: 'error',
      evidence: expect.stringMatching(/AWS-managed key/),
    });
  });

  test('fails an unencrypted L1 instance', () => {
    const run = judgeStack(
      'prod',
      (s) => new rds.CfnDBInstance(s, 'Raw', { engine: 'postgres', storageEncrypted: false }),
    );
    expect(resultsOf(run, ID)[0]).toMatchObject({ status: 'fail', evidence: 'StorageEncrypted=false' });
  });

  test('fails when an escape hatch turns encryption off', () => {
    expect(
      statusOf(
        judgeStack('prod', (s) => cfnOf(compliantInstance(s)).addPropertyOverride('StorageEncrypted', false)),
        ID,
      ),
    ).toBe('fail');
  });

  test('fails a bare CfnResource naming the aws/rds alias', () => {
    const run = judgeStack(
      'prod',
      (s) =>
        new CfnResource(s, 'Bare', {
          type: 'AWS::RDS::DBInstance',
          properties: { StorageEncrypted: true, KmsKeyId: 'alias/aws/rds' },
        }),
    );
    expect(resultsOf(run, ID)[0]).toMatchObject({
      status: 'fail',
      evidence: 'StorageEncrypted=true, KmsKeyId=alias/aws/rds (AWS-managed)',
    });
  });

  test('cannot verify an imported key', () => {
    const run = judgeStack('prod', (s) =>
      cfnOf(compliantInstance(s)).addPropertyOverride('KmsKeyId', { 'Fn::ImportValue': 'shared-key' }),
    );
    expect(resultsOf(run, ID)[0]).toMatchObject({ status: 'cannot-verify', severity: 'error' });
  });
});
