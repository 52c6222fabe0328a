import { CfnParameter, SecretValue } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { masterPasswordInSecretsManager, secretEncryption } from '../../../../aspects/rules';
import { judgeStack, resultsOf } from '../../../support/compliance';
import { cfnOf, compliantInstance } from '../../../support/constructs';

const ID = masterPasswordInSecretsManager.id;
/** A value that must never reach a finding. */
const PASSWORD = 'fixture-not-a-secret-2';
const verdicts = (run: ReturnType<typeof judgeStack>, id = ID) =>
  resultsOf(run, id).map((r) => `${r.status} ${r.severity} ${r.evidence}`);
const leaks = (run: ReturnType<typeof judgeStack>) => JSON.stringify(run.results).includes(PASSWORD);

describe(`${ID} master password from Secrets Manager`, () => {
  test('passes the generated secret of an L2 instance', () => {
    expect(verdicts(judgeStack('prod', (s) => compliantInstance(s)))).toEqual([
      'pass error MasterUserPassword is a Secrets Manager dynamic reference',
    ]);
  });

  test.each(['dev', 'prod'] as const)('fails an L2 password written in the code in %s, without showing it', (env) => {
    const run = judgeStack(env, (s) =>
      compliantInstance(s, {
        credentials: rds.Credentials.fromPassword('admin_user', SecretValue.unsafePlainText(PASSWORD)),
      }),
    );
    expect(verdicts(run)).toEqual(['fail error MasterUserPassword is written in the template (value not shown)']);
    expect(leaks(run)).toBe(false);
  });

  test('fails an escape hatch that writes a literal, and a parameter', () => {
    const literal = judgeStack('prod', (s) =>
      cfnOf(compliantInstance(s)).addPropertyOverride('MasterUserPassword', PASSWORD),
    );
    expect(verdicts(literal)).toEqual(['fail error MasterUserPassword is written in the template (value not shown)']);
    expect(leaks(literal)).toBe(false);
    const parameter = judgeStack('prod', (s) => {
      const p = new CfnParameter(s, 'DbPassword', { noEcho: true });
      cfnOf(compliantInstance(s)).addPropertyOverride('MasterUserPassword', p.valueAsString);
    });
    expect(verdicts(parameter)).toEqual([
      'fail error MasterUserPassword is the parameter DbPassword, outside Secrets Manager',
    ]);
  });

  test('fails an SSM SecureString reference', () => {
    const run = judgeStack('prod', (s) =>
      cfnOf(compliantInstance(s)).addPropertyOverride(
        'MasterUserPassword',
        '{{resolve:ssm-secure:/orders/db-password:1}}',
      ),
    );
    expect(verdicts(run)[0]).toMatch(/^fail error MasterUserPassword is an SSM SecureString/);
  });

  test('passes a password RDS manages (L1), and judges its secret key under SS-SM-001', () => {
    const build = (withKey: boolean) => (s: Parameters<Parameters<typeof judgeStack>[1]>[0]) => {
      const key = new kms.Key(s, 'SecretKey', { enableKeyRotation: true });
      new rds.CfnDBInstance(s, 'Managed', {
        engine: 'postgres',
        masterUsername: 'admin_user',
        manageMasterUserPassword: true,
        ...(withKey ? { masterUserSecret: { kmsKeyId: key.keyArn } } : {}),
      });
    };
    expect(verdicts(judgeStack('prod', build(true)))).toEqual([
      'pass error ManageMasterUserPassword=true (a secret RDS manages)',
    ]);
    expect(resultsOf(judgeStack('prod', build(true)), secretEncryption.id).map((r) => r.status)).toEqual(['pass']);
    expect(verdicts(judgeStack('prod', build(false)), secretEncryption.id)).toEqual([
      expect.stringMatching(/^fail error the RDS-managed master secret: /),
    ]);
  });

  test('leaves the instances of an Aurora cluster to the cluster', () => {
    const run = judgeStack('prod', (s) => {
      const cluster = new rds.CfnDBCluster(s, 'Cluster', {
        engine: 'aurora-postgresql',
        masterUsername: 'admin_user',
        masterUserPassword: PASSWORD,
      });
      new rds.CfnDBInstance(s, 'Writer', {
        engine: 'aurora-postgresql',
        dbInstanceClass: 'db.r6g.large',
        dbClusterIdentifier: cluster.ref,
      });
    });
    expect(resultsOf(run, ID).map((r) => `${r.logicalId} ${r.status}`)).toEqual(['Cluster fail']);
    expect(leaks(run)).toBe(false);
  });
});
