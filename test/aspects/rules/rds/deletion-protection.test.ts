import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Aws, CfnCondition, CfnParameter, CfnResource, Fn, NestedStack, Stack } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { deletionProtection } from '../../../../aspects/rules';
import { judgeStack, resultsOf, statusOf } from '../../../support/compliance';
import { cfnOf, compliantInstance, testVpc } from '../../../support/constructs';

const ID = deletionProtection.id;

describe(`${ID} deletion protection`, () => {
  test('passes a protected L2 instance', () => {
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
  ] as const)('fails when an L2 instance is unprotected (%s: %s)', (env, status) => {
    const run = judgeStack(env, (s) => compliantInstance(s, { deletionProtection: false }));
    expect(statusOf(run, ID)).toBe(status);
    expect(resultsOf(run, ID)[0]).toMatchObject({
      evidence: 'DeletionProtection=false',
      constructPath: 'TeamStack/Db/Resource',
    });
  });

  test('is not evaluated in dev', () => {
    expect(
      resultsOf(
        judgeStack('dev', (s) => compliantInstance(s, { deletionProtection: false })),
        ID,
      ),
    ).toEqual([]);
  });

  test('fails when an L1 instance leaves it unset', () => {
    const run = judgeStack(
      'prod',
      (s) => new rds.CfnDBInstance(s, 'Raw', { engine: 'postgres', dbInstanceClass: 'db.t4g.micro' }),
    );
    expect(resultsOf(run, ID)[0]).toMatchObject({ status: 'fail', evidence: 'DeletionProtection=not set (false)' });
  });

  test('fails when an escape hatch turns it off after the L2 set it', () => {
    const run = judgeStack('prod', (s) => cfnOf(compliantInstance(s)).addPropertyOverride('DeletionProtection', false));
    expect(statusOf(run, ID)).toBe('fail');
  });

  test('fails when a raw addOverride turns it off', () => {
    const run = judgeStack('prod', (s) =>
      cfnOf(compliantInstance(s)).addOverride('Properties.DeletionProtection', 'false'),
    );
    expect(statusOf(run, ID)).toBe('fail');
  });

  test('fails for a bare CfnResource of type AWS::RDS::DBInstance', () => {
    const run = judgeStack(
      'prod',
      (s) =>
        new CfnResource(s, 'Bare', {
          type: 'AWS::RDS::DBInstance',
          properties: { Engine: 'postgres', DeletionProtection: false },
        }),
    );
    expect(resultsOf(run, ID)[0]).toMatchObject({ status: 'fail', constructPath: 'TeamStack/Bare' });
  });

  test('cannot verify a parameter, an error in prod', () => {
    const run = judgeStack('prod', (s) => {
      const p = new CfnParameter(s, 'Protect', { type: 'String', default: 'true' });
      cfnOf(compliantInstance(s)).addPropertyOverride('DeletionProtection', p.valueAsString);
    });
    expect(resultsOf(run, ID)[0]).toMatchObject({
      status: 'cannot-verify',
      severity: 'error',
      evidence: 'DeletionProtection is parameter Protect',
    });
  });

  test('cannot verify a parameter, a warning in staging', () => {
    const run = judgeStack('staging', (s) => {
      const p = new CfnParameter(s, 'Protect', { type: 'String' });
      cfnOf(compliantInstance(s)).addPropertyOverride('DeletionProtection', p.valueAsString);
    });
    expect(resultsOf(run, ID)[0]).toMatchObject({ status: 'cannot-verify', severity: 'warning' });
  });

  test('judges a value chosen by a condition on its worst branch, an error in prod', () => {
    const run = judgeStack('prod', (s) => {
      const isProd = new CfnCondition(s, 'IsProd', { expression: Fn.conditionEquals(Aws.REGION, 'us-east-1') });
      cfnOf(compliantInstance(s)).addPropertyOverride(
        'DeletionProtection',
        Fn.conditionIf(isProd.logicalId, true, false),
      );
    });
    expect(resultsOf(run, ID)[0]).toMatchObject({
      status: 'fail',
      severity: 'error',
      evidence: 'DeletionProtection=false [worst of 2 cases: condition IsProd false]',
    });
  });

  test('passes a condition whose every branch turns protection on', () => {
    const run = judgeStack('prod', (s) => {
      const isProd = new CfnCondition(s, 'IsProd', { expression: Fn.conditionEquals(Aws.REGION, 'us-east-1') });
      cfnOf(compliantInstance(s)).addPropertyOverride(
        'DeletionProtection',
        Fn.conditionIf(isProd.logicalId, true, 'true'),
      );
    });
    expect(resultsOf(run, ID)[0]).toMatchObject({
      status: 'pass',
      evidence: 'DeletionProtection=true [in each of 2 cases]',
    });
  });

  test('passes a parameter whose AllowedValues allow only true, showing the value', () => {
    const run = judgeStack('prod', (s) => {
      const p = new CfnParameter(s, 'Protect', { type: 'String', allowedValues: ['true'] });
      cfnOf(compliantInstance(s)).addPropertyOverride('DeletionProtection', p.valueAsString);
    });
    expect(resultsOf(run, ID)[0]).toMatchObject({ status: 'pass', evidence: 'DeletionProtection=true' });
  });

  test('fails a parameter whose AllowedPattern admits false', () => {
    const run = judgeStack('prod', (s) => {
      const p = new CfnParameter(s, 'Protect', { type: 'String', allowedPattern: '^(true|false)$' });
      cfnOf(compliantInstance(s)).addPropertyOverride('DeletionProtection', p.valueAsString);
    });
    expect(resultsOf(run, ID)[0]).toMatchObject({
      status: 'fail',
      evidence: 'DeletionProtection=false [worst of 2 cases: parameter Protect=false]',
    });
  });

  test('judges an Aurora cluster on the cluster, not its instances', () => {
    const run = judgeStack('prod', (s) => {
      new rds.DatabaseCluster(s, 'Aurora', {
        engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
        vpc: testVpc(s),
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        writer: rds.ClusterInstance.provisioned('writer'),
        deletionProtection: false,
      });
    });
    expect(resultsOf(run, ID)).toEqual([
      expect.objectContaining({ resourceType: 'AWS::RDS::DBCluster', status: 'fail' }),
    ]);
  });
});

describe(`${deletionProtection.id} on a global database`, () => {
  const global = (props: Partial<rds.CfnGlobalClusterProps>) => (s: Stack) =>
    new rds.CfnGlobalCluster(s, 'Global', { engine: 'aurora-postgresql', ...props });
  const verdicts = (run: ReturnType<typeof judgeStack>) =>
    resultsOf(run, deletionProtection.id).map((r) => `${r.status}: ${r.evidence}`);

  test.each([
    [{}, 'fail: DeletionProtection=not set (false)'],
    [{ deletionProtection: false }, 'fail: DeletionProtection=false'],
    [{ deletionProtection: true }, 'pass: DeletionProtection=true'],
  ])('judges %j', (props, verdict) => {
    expect(verdicts(judgeStack('prod', global(props)))).toEqual([verdict]);
  });

  test('fails an escape hatch that turns it off, in a nested stack too', () => {
    const run = judgeStack('prod', (s) =>
      global({ deletionProtection: true })(new NestedStack(s, 'Global')).addPropertyOverride(
        'DeletionProtection',
        false,
      ),
    );
    expect(verdicts(run)).toEqual(['fail: DeletionProtection=false']);
  });
});
