import { CfnResource } from 'aws-cdk-lib';
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
