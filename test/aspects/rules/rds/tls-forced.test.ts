import { CfnResource, Stack } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import { tlsForced } from '../../../../aspects/rules';
import { judgeStack, resultsOf, statusOf } from '../../../support/compliance';
import { cfnOf, compliantInstance } from '../../../support/constructs';

const ID = tlsForced.id;

describe(`${ID} TLS forced`, () => {
  test('passes a parameter group with rds.force_ssl=1', () => {
    expect(
      resultsOf(
        judgeStack('prod', (s) => compliantInstance(s)),
        ID,
      )[0],
    ).toMatchObject({ status: 'pass', evidence: expect.stringMatching(/^rds.force_ssl=1 in /) });
  });
  test('fails a parameter group with rds.force_ssl=0', () => {
    const run = judgeStack('prod', (s) => {
      const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 });
      compliantInstance(s, {
        parameterGroup: new rds.ParameterGroup(s, 'Loose', { engine, parameters: { 'rds.force_ssl': '0' } }),
      });
    });
    expect(statusOf(run, ID)).toBe('fail');
  });
  test('passes the default parameter group of PostgreSQL 15+', () => {
    expect(
      statusOf(
        judgeStack('prod', (s) => compliantInstance(s, { parameterGroup: undefined })),
        ID,
      ),
    ).toBe('pass');
  });
  test.each([
    ['PostgreSQL 17 (L2)', rds.PostgresEngineVersion.VER_17, 'pass', /PostgreSQL 17's default \(1\) applies/],
    ['PostgreSQL 14 (L2)', rds.PostgresEngineVersion.VER_14, 'fail', /so the engine's default applies/],
  ])(
    'judges a custom parameter group without rds.force_ssl by the engine default: %s',
    (_, version, status, evidence) => {
      const run = judgeStack('prod', (s) => {
        const engine = rds.DatabaseInstanceEngine.postgres({ version });
        compliantInstance(s, { engine, parameterGroup: new rds.ParameterGroup(s, 'Own', { engine, parameters: {} }) });
      });
      expect(resultsOf(run, ID)).toEqual([
        expect.objectContaining({ status, evidence: expect.stringMatching(evidence) }),
      ]);
    },
  );
  test("takes the major from the group's Family when an L1 instance names no version", () => {
    const run = judgeStack('prod', (s) => {
      const group = new rds.CfnDBParameterGroup(s, 'Own', { family: 'postgres16', description: 'own', parameters: {} });
      new rds.CfnDBInstance(s, 'Db', { engine: 'postgres', dbParameterGroupName: group.ref });
    });
    expect(resultsOf(run, ID)).toEqual([
      expect.objectContaining({ status: 'pass', evidence: expect.stringMatching(/PostgreSQL 16's default/) }),
    ]);
  });
  test('fails an L1 PostgreSQL 14 instance on the default parameter group', () => {
    const run = judgeStack(
      'prod',
      (s) => new rds.CfnDBInstance(s, 'Raw', { engine: 'postgres', engineVersion: '14.12' }),
    );
    expect(statusOf(run, ID)).toBe('fail');
  });
  test('fails when an escape hatch sets rds.force_ssl to 0 on the group', () => {
    const run = judgeStack('prod', (s) => {
      compliantInstance(s);
      (s.node.findChild('Params').node.defaultChild as rds.CfnDBParameterGroup).addPropertyOverride(
        'Parameters.rds\\.force_ssl',
        '0',
      );
    });
    expect(statusOf(run, ID)).toBe('fail');
  });
  test('cannot verify a parameter group defined outside the template', () => {
    const run = judgeStack(
      'prod',
      (s) =>
        new CfnResource(s, 'Bare', {
          type: 'AWS::RDS::DBInstance',
          properties: { Engine: 'postgres', DBParameterGroupName: 'shared-pg17' },
        }),
    );
    expect(resultsOf(run, ID)[0]).toMatchObject({ status: 'cannot-verify' });
  });
  test('cannot verify MySQL on its default parameter group', () => {
    expect(
      statusOf(
        judgeStack('prod', (s) => new rds.CfnDBInstance(s, 'My', { engine: 'mysql' })),
        ID,
      ),
    ).toBe('cannot-verify');
  });
  test.each([
    ['mysql', 'require_secure_transport', 'ON', 'pass'],
    ['mariadb', 'require_secure_transport', '0', 'fail'],
    ['sqlserver-se', 'rds.force_ssl', '1', 'pass'],
    ['sqlserver-ex', 'rds.force_ssl', '0', 'fail'],
  ])('judges %s by %s=%s: %s', (engine, parameter, value, status) => {
    const run = judgeStack('prod', (s) => {
      const group = new rds.CfnDBParameterGroup(s, 'Group', {
        family: 'x',
        description: 'tls',
        parameters: { [parameter]: value },
      });
      new rds.CfnDBInstance(s, 'Db', { engine, dbParameterGroupName: group.ref });
    });
    expect(statusOf(run, ID)).toBe(status);
  });
  test('cannot verify Oracle, whose TLS lives in an option group', () => {
    expect(
      statusOf(
        judgeStack('prod', (s) => new rds.CfnDBInstance(s, 'O', { engine: 'oracle-ee' })),
        ID,
      ),
    ).toBe('cannot-verify');
  });
  test('judges the escape-hatched override on the instance itself', () => {
    expect(
      statusOf(
        judgeStack('prod', (s) =>
          cfnOf(compliantInstance(s)).addPropertyOverride('DBParameterGroupName', 'default.postgres12'),
        ),
        ID,
      ),
    ).toBe('fail');
  });
});

describe(`${ID} judges the green copy of a blue/green deployment, production after switchover`, () => {
  const blueGreen = (props: Partial<rds.CfnDeploymentProps>, source?: (s: Stack) => string) => (s: Stack) => {
    const db = compliantInstance(s);
    new rds.CfnDeployment(s, 'Upgrade', {
      blueGreenDeploymentName: 'orders-upgrade',
      source: source ? source(s) : db.instanceArn,
      ...props,
    });
  };
  const greenVerdicts = (run: ReturnType<typeof judgeStack>) =>
    resultsOf(run, ID)
      .filter((r) => r.resourceType === 'AWS::RDS::Deployment')
      .map((r) => `${r.status} ${r.evidence}`);
  const group = (s: Stack, forceSsl: string) =>
    new rds.CfnDBParameterGroup(s, 'Green', {
      family: 'postgres17',
      description: 'green',
      parameters: { 'rds.force_ssl': forceSsl },
    }).ref;
  test('fails a green parameter group (L1) that turns TLS off', () => {
    expect(
      greenVerdicts(judgeStack('prod', (s) => blueGreen({ targetDbParameterGroupName: group(s, '0') })(s))),
    ).toEqual([expect.stringMatching(/^fail rds\.force_ssl=0 in Green/)]);
  });
  test('passes a green parameter group that forces TLS', () => {
    expect(
      greenVerdicts(judgeStack('prod', (s) => blueGreen({ targetDbParameterGroupName: group(s, '1') })(s))),
    ).toEqual([expect.stringMatching(/^pass rds\.force_ssl=1 in Green/)]);
  });
  test("passes green on the source's own group, which is judged on the source", () => {
    expect(greenVerdicts(judgeStack('prod', blueGreen({})))).toEqual([
      expect.stringMatching(/^pass TargetDBParameterGroupName not set: green keeps the parameter group of \w+/),
    ]);
  });
  test('fails a downgrade (escape hatch) to PostgreSQL 14 on its default group', () => {
    const run = judgeStack('prod', (s) => {
      blueGreen({})(s);
      (s.node.findChild('Upgrade') as rds.CfnDeployment).addPropertyOverride('TargetEngineVersion', '14.15');
    });
    expect(greenVerdicts(run)).toEqual([
      expect.stringMatching(/^fail .*PostgreSQL 14, whose default does not force TLS/),
    ]);
  });
  test('cannot verify a deployment whose source is outside the template', () => {
    const run = judgeStack(
      'prod',
      blueGreen({}, () => 'arn:aws:rds:us-east-1:111111111111:db:orders-legacy'),
    );
    expect(greenVerdicts(run)).toEqual([expect.stringMatching(/^cannot-verify Source=.*orders-legacy/)]);
  });
});
