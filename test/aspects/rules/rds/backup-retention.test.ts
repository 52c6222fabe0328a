import { CfnResource, Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
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

  describe('of an instance made from another instance of the app', () => {
    const replicaOf = (s: Parameters<Parameters<typeof judgeStack>[1]>[0]) => {
      const source = compliantInstance(s);
      return new rds.DatabaseInstanceReadReplica(s, 'Copy', {
        sourceDatabaseInstance: source,
        instanceType: ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE),
        vpc: source.vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      });
    };
    const copyResults = (run: ReturnType<typeof judgeStack>) =>
      resultsOf(run, ID).filter((r) => /\/Copy(\/|$)/.test(r.constructPath));
    test('a read replica (L2) is protected by its source, and not judged', () => {
      expect(copyResults(judgeStack('prod', (s) => replicaOf(s)))).toEqual([]);
    });
    test.each([
      ['UseLatestRestorableTime', true],
      ['RestoreTime', '2026-12-01T00:00:00Z'],
    ])(
      'a point-in-time restore (escape hatch: %s) is a database of its own, judged on its own backups',
      (key, value) => {
        const run = judgeStack('prod', (s) => {
          const copy = replicaOf(s).node.defaultChild as rds.CfnDBInstance;
          copy.addPropertyOverride(key, value);
          copy.addPropertyOverride('BackupRetentionPeriod', 1);
        });
        expect(copyResults(run)).toEqual([
          expect.objectContaining({ status: 'fail', evidence: 'BackupRetentionPeriod=1, minimum 14' }),
        ]);
      },
    );
    test("a point-in-time restore (L1) of the app's instance keeping 14 days passes", () => {
      const run = judgeStack('prod', (s) => {
        const source = cfnOf(compliantInstance(s));
        new rds.CfnDBInstance(s, 'Copy', {
          dbInstanceClass: 'db.m7g.large',
          sourceDbInstanceIdentifier: source.ref,
          useLatestRestorableTime: true,
          backupRetentionPeriod: 14,
        });
      });
      expect(copyResults(run).map((r) => r.status)).toEqual(['pass']);
    });
  });
});
