import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CfnResource } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { multiAz } from '../../../../aspects/rules';
import { judgeStack, resultsOf, statusOf } from '../../../support/compliance';
import { cfnOf, compliantInstance, testVpc } from '../../../support/constructs';
import { restoredMultiAzCluster } from '../../../support/multi-az-cluster';

const ID = multiAz.id;
const aurora = (readers: number) =>
  judgeStack('prod', (s) => {
    new rds.DatabaseCluster(s, 'Aurora', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
      vpc: testVpc(s),
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      writer: rds.ClusterInstance.provisioned('writer'),
      readers: Array.from({ length: readers }, (_, i) => rds.ClusterInstance.provisioned(`reader${i}`)),
      deletionProtection: true,
    });
  });

describe(`${ID} Multi-AZ`, () => {
  test('passes a Multi-AZ L2 instance', () => {
    expect(
      statusOf(
        judgeStack('prod', (s) => compliantInstance(s)),
        ID,
      ),
    ).toBe('pass');
  });

  test.each([
    ['prod', 'fail'],
    ['staging', 'warn'],
  ] as const)('fails when an L2 instance is Single-AZ (%s: %s)', (env, status) => {
    expect(
      statusOf(
        judgeStack(env, (s) => compliantInstance(s, { multiAz: false })),
        ID,
      ),
    ).toBe(status);
  });

  test('is not evaluated in dev', () => {
    expect(
      resultsOf(
        judgeStack('dev', (s) => compliantInstance(s, { multiAz: false })),
        ID,
      ),
    ).toEqual([]);
  });

  test('fails for an L1 instance without MultiAZ', () => {
    const run = judgeStack(
      'prod',
      (s) => new rds.CfnDBInstance(s, 'Raw', { engine: 'postgres', dbInstanceClass: 'db.t4g.micro' }),
    );
    expect(resultsOf(run, ID)[0]).toMatchObject({ status: 'fail', evidence: 'MultiAZ=not set (false)' });
  });

  test('fails when an escape hatch turns it off', () => {
    expect(
      statusOf(
        judgeStack('prod', (s) => cfnOf(compliantInstance(s)).addPropertyOverride('MultiAZ', false)),
        ID,
      ),
    ).toBe('fail');
  });

  test('fails for a bare CfnResource', () => {
    const run = judgeStack(
      'prod',
      (s) => new CfnResource(s, 'Bare', { type: 'AWS::RDS::DBInstance', properties: { MultiAZ: 'false' } }),
    );
    expect(statusOf(run, ID)).toBe('fail');
  });

  test('fails an Aurora cluster with a writer only', () => {
    expect(resultsOf(aurora(0), ID)).toEqual([
      expect.objectContaining({ status: 'fail', resourceType: 'AWS::RDS::DBCluster' }),
    ]);
  });

  test('passes an Aurora cluster with a reader', () => {
    expect(resultsOf(aurora(1), ID)).toEqual([
      expect.objectContaining({ status: 'pass', evidence: '2 cluster instances' }),
    ]);
  });
});

describe(`${ID} on an Aurora Limitless shard group`, () => {
  const shardGroup = (computeRedundancy?: number) =>
    judgeStack('prod', (s) => {
      new rds.CfnDBShardGroup(s, 'Shards', {
        dbClusterIdentifier: 'orders-limitless',
        maxAcu: 768,
        publiclyAccessible: false,
        ...(computeRedundancy === undefined ? {} : { computeRedundancy }),
      });
    });
  test.each([
    [undefined, 'fail', 'ComputeRedundancy=0 (not set)'],
    [0, 'fail', 'ComputeRedundancy=0'],
    [1, 'pass', 'ComputeRedundancy=1'],
    [2, 'pass', 'ComputeRedundancy=2'],
  ])('ComputeRedundancy %s: %s', (value, status, evidence) => {
    expect(resultsOf(shardGroup(value), ID)).toEqual([expect.objectContaining({ status, evidence })]);
  });
});

describe(`${ID} on a cluster restored without Engine (it takes its source's)`, () => {
  const restored = (run: ReturnType<typeof judgeStack>) =>
    resultsOf(run, ID)
      .filter((r) => r.constructPath.endsWith('/Restored'))
      .map((r) => `${r.status} ${r.evidence}`);
  test('a Multi-AZ DB cluster restored from one of the app is Multi-AZ by its instance class', () => {
    expect(restored(judgeStack('prod', (s) => restoredMultiAzCluster(s)))).toEqual([
      'pass Multi-AZ DB cluster (Engine=postgres (of Source), DBClusterInstanceClass=db.m6gd.large)',
    ]);
  });
  test('one restored from a snapshot, without an instance class, is judged as Aurora by its instances', () => {
    const run = judgeStack('prod', (s) => new rds.CfnDBCluster(s, 'Restored', { snapshotIdentifier: 'orders-1' }));
    expect(restored(run)).toEqual([expect.stringMatching(/^fail 0 cluster instances/)]);
  });
});
