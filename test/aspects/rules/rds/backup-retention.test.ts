import { CfnResource, Duration } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { backupRetention } from '../../../../aspects/rules';
import { judgeStack, resultsOf, statusOf } from '../../../support/compliance';
import { cfnOf, compliantInstance } from '../../../support/constructs';

const ID = backupRetention.id;

describe(`${ID} backup retention`, () => {
  test('passes 14 days in prod', () => {
    expect(
      resultsOf(
        judgeStack('prod', (s) => compliantInstance(s)),
        ID,
      )[0],
    ).toMatchObject({ status: 'pass', evidence: 'BackupRetentionPeriod=14, minimum 14' });
  });
  test.each([
    ['prod', 13, 'fail'],
    ['staging', 6, 'fail'],
    ['staging', 7, 'pass'],
    ['dev', 0, 'warn'],
    ['dev', 1, 'pass'],
  ] as const)('%s with %i days: %s', (env, days, status) => {
    expect(
      statusOf(
        judgeStack(env, (s) => compliantInstance(s, { backupRetention: Duration.days(days) })),
        ID,
      ),
    ).toBe(status);
  });
  test('honours a team minimum', () => {
    const run = judgeStack('prod', (s) => compliantInstance(s), { minBackupRetentionDays: 30 });
    expect(resultsOf(run, ID)[0]).toMatchObject({ status: 'fail', evidence: 'BackupRetentionPeriod=14, minimum 30' });
  });
  test('fails an L1 instance on the CloudFormation default of one day', () => {
    const run = judgeStack('prod', (s) => new rds.CfnDBInstance(s, 'Raw', { engine: 'postgres' }));
    expect(resultsOf(run, ID)[0]).toMatchObject({
      status: 'fail',
      evidence: 'BackupRetentionPeriod=1 (default), minimum 14',
    });
  });
  test('fails when an escape hatch lowers it', () => {
    expect(
      statusOf(
        judgeStack('prod', (s) => cfnOf(compliantInstance(s)).addPropertyOverride('BackupRetentionPeriod', 3)),
        ID,
      ),
    ).toBe('fail');
  });
  test('fails a bare CfnResource with retention as a string', () => {
    const run = judgeStack(
      'prod',
      (s) => new CfnResource(s, 'Bare', { type: 'AWS::RDS::DBInstance', properties: { BackupRetentionPeriod: '2' } }),
    );
    expect(statusOf(run, ID)).toBe('fail');
  });
});
