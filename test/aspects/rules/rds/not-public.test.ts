import { CfnResource } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { notPubliclyAccessible } from '../../../../aspects/rules';
import { judgeStack, resultsOf, statusOf } from '../../../support/compliance';
import { cfnOf, compliantInstance } from '../../../support/constructs';
import { restoredMultiAzCluster } from '../../../support/multi-az-cluster';

const ID = notPubliclyAccessible.id;

describe(`${ID} not publicly accessible`, () => {
  test('passes a private L2 instance', () => {
    expect(
      statusOf(
        judgeStack('prod', (s) => compliantInstance(s)),
        ID,
      ),
    ).toBe('pass');
  });
  test.each(['dev', 'staging', 'prod'] as const)('fails a public L2 instance in %s', (env) => {
    expect(
      statusOf(
        judgeStack(env, (s) => compliantInstance(s, { publiclyAccessible: true })),
        ID,
      ),
    ).toBe('fail');
  });
  test('fails an L1 instance made public', () => {
    expect(
      statusOf(
        judgeStack('prod', (s) => new rds.CfnDBInstance(s, 'Raw', { engine: 'postgres', publiclyAccessible: true })),
        ID,
      ),
    ).toBe('fail');
  });
  test('fails when an escape hatch makes it public', () => {
    expect(
      statusOf(
        judgeStack('prod', (s) => cfnOf(compliantInstance(s)).addPropertyOverride('PubliclyAccessible', 'true')),
        ID,
      ),
    ).toBe('fail');
  });
  test('cannot verify a bare CfnResource that leaves it to the subnet default', () => {
    const run = judgeStack(
      'prod',
      (s) => new CfnResource(s, 'Bare', { type: 'AWS::RDS::DBInstance', properties: { Engine: 'postgres' } }),
    );
    expect(resultsOf(run, ID)[0]).toMatchObject({ status: 'cannot-verify', severity: 'error' });
  });

  test.each([
    [true, 'fail'],
    [undefined, 'cannot-verify'],
  ])('judges an Aurora Limitless shard group (PubliclyAccessible %s: %s)', (publiclyAccessible, status) => {
    const run = judgeStack(
      'prod',
      (s) =>
        new rds.CfnDBShardGroup(s, 'Shards', {
          dbClusterIdentifier: 'orders-limitless',
          maxAcu: 768,
          computeRedundancy: 1,
          ...(publiclyAccessible === undefined ? {} : { publiclyAccessible }),
        }),
    );
    expect(resultsOf(run, ID)).toEqual([expect.objectContaining({ status, severity: 'error' })]);
  });
});

describe(`${ID} on a Multi-AZ DB cluster restored without Engine (it takes its source's)`, () => {
  const restored = (run: ReturnType<typeof judgeStack>) =>
    resultsOf(run, ID)
      .filter((r) => r.constructPath.endsWith('/Restored'))
      .map((r) => r.status);
  test('fails PubliclyAccessible true', () => {
    expect(restored(judgeStack('prod', (s) => restoredMultiAzCluster(s, { publiclyAccessible: true })))).toEqual([
      'fail',
    ]);
  });
  test('passes PubliclyAccessible false', () => {
    expect(restored(judgeStack('prod', (s) => restoredMultiAzCluster(s, { publiclyAccessible: false })))).toEqual([
      'pass',
    ]);
  });
});
