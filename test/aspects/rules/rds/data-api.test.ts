import { CfnParameter, NestedStack, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { acknowledge } from '../../../../aspects/acknowledgements';
import { dataApiReviewed } from '../../../../aspects/rules';
import { judgeStack, resultsOf } from '../../../support/compliance';
import { testVpc } from '../../../support/constructs';

const ID = dataApiReviewed.id;

const cluster = (s: Stack, enableDataApi?: boolean) =>
  new rds.DatabaseCluster(s, 'Cluster', {
    engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
    writer: rds.ClusterInstance.serverlessV2('Writer'),
    vpc: testVpc(s),
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    enableDataApi,
  });
const verdicts = (run: ReturnType<typeof judgeStack>) =>
  resultsOf(run, ID).map((r) => `${r.status} ${r.severity}: ${r.evidence}`);

describe(`${ID} the Aurora Data API`, () => {
  test('passes a cluster that leaves it off, and one that turns it off', () => {
    expect(verdicts(judgeStack('prod', (s) => cluster(s)))).toEqual(['pass error: EnableHttpEndpoint=not set (false)']);
    expect(verdicts(judgeStack('prod', (s) => cluster(s, false)))).toEqual(['pass error: EnableHttpEndpoint=false']);
  });

  test.each([
    ['prod', 'fail error'],
    ['staging', 'warn warning'],
  ] as const)('an L2 cluster with enableDataApi in %s: %s', (env, verdict) => {
    expect(verdicts(judgeStack(env, (s) => cluster(s, true)))).toEqual([
      expect.stringMatching(new RegExp(`^${verdict}`)),
    ]);
  });

  test('is not judged in dev', () => {
    expect(verdicts(judgeStack('dev', (s) => cluster(s, true)))).toEqual([]);
  });

  test('fails an escape hatch and an L1 cluster', () => {
    const hatch = judgeStack('prod', (s) =>
      (cluster(s).node.defaultChild as rds.CfnDBCluster).addPropertyOverride('EnableHttpEndpoint', 'true'),
    );
    expect(verdicts(hatch)).toEqual(['fail error: EnableHttpEndpoint=true: SQL over the RDS API, outside the VPC']);
    const l1 = judgeStack(
      'prod',
      (s) => new rds.CfnDBCluster(s, 'Raw', { engine: 'aurora-postgresql', enableHttpEndpoint: true }),
    );
    expect(resultsOf(l1, ID).map((r) => r.status)).toEqual(['fail']);
  });

  test('fails in a nested stack, and cannot verify a parameter', () => {
    const nested = judgeStack('prod', (s) => cluster(new NestedStack(s, 'Db'), true));
    expect(resultsOf(nested, ID).map((r) => `${r.status} ${r.stack}`)).toEqual([expect.stringMatching(/^fail .*Db/)]);
    const param = judgeStack('prod', (s) =>
      (cluster(s).node.defaultChild as rds.CfnDBCluster).addPropertyOverride(
        'EnableHttpEndpoint',
        new CfnParameter(s, 'DataApi').valueAsString,
      ),
    );
    expect(resultsOf(param, ID).map((r) => r.status)).toEqual(['cannot-verify']);
  });

  test('a reviewed Data API may be acknowledged in prod', () => {
    const run = judgeStack('prod', (s) => {
      const c = cluster(s, true);
      acknowledge(c, {
        ruleId: ID,
        reason: 'The reporting Lambda reads through the Data API; only its role may call rds-data and read the secret.',
        owner: 'team-db',
        expires: '2099-01-01',
      });
    });
    expect(resultsOf(run, ID)).toEqual([expect.objectContaining({ status: 'acknowledged' })]);
  });
});
