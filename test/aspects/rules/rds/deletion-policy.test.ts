import { CfnResource, CfnDeletionPolicy, RemovalPolicy } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { deletionPolicy } from '../../../../aspects/rules';
import { judgeStack, resultsOf } from '../../../support/compliance';
import { cfnOf, compliantInstance } from '../../../support/constructs';

const ID = deletionPolicy.id;
const statuses = (run: ReturnType<typeof judgeStack>) => resultsOf(run, ID).map((r) => `${r.evidence}: ${r.status}`);

describe(`${ID} deletion policy keeps data`, () => {
  test('passes SNAPSHOT on an L2 instance', () => {
    expect(
      statuses(judgeStack('prod', (s) => compliantInstance(s, { removalPolicy: RemovalPolicy.SNAPSHOT }))),
    ).toEqual(['DeletionPolicy=Snapshot: pass', 'UpdateReplacePolicy=Snapshot: pass']);
  });
  test.each([
    ['prod', 'fail'],
    ['staging', 'warn'],
  ] as const)('fails DESTROY on an L2 instance (%s: %s)', (env, status) => {
    expect(statuses(judgeStack(env, (s) => compliantInstance(s, { removalPolicy: RemovalPolicy.DESTROY })))).toEqual([
      `DeletionPolicy=Delete: ${status}`,
      `UpdateReplacePolicy=Delete: ${status}`,
    ]);
  });
  test('fails an L1 instance that is replaced with Delete', () => {
    expect(statuses(judgeStack('prod', (s) => new rds.CfnDBInstance(s, 'Raw', { engine: 'postgres' })))).toEqual([
      'DeletionPolicy not set (default Snapshot): pass',
      'UpdateReplacePolicy not set (default Delete): fail',
    ]);
  });
  test('fails when an escape hatch sets Delete', () => {
    const run = judgeStack(
      'prod',
      (s) => (cfnOf(compliantInstance(s)).cfnOptions.deletionPolicy = CfnDeletionPolicy.DELETE),
    );
    expect(statuses(run)).toContain('DeletionPolicy=Delete: fail');
  });
  test('fails a bare CfnResource overridden to Delete', () => {
    const run = judgeStack('prod', (s) =>
      new CfnResource(s, 'Bare', { type: 'AWS::RDS::DBInstance' }).addOverride('DeletionPolicy', 'Delete'),
    );
    expect(statuses(run)).toContain('DeletionPolicy=Delete: fail');
  });
  test('is not evaluated in dev', () => {
    expect(
      resultsOf(
        judgeStack('dev', (s) => compliantInstance(s, { removalPolicy: RemovalPolicy.DESTROY })),
        ID,
      ),
    ).toEqual([]);
  });
});
