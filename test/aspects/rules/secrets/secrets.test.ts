import { CfnParameter, CfnResource, Duration, Fn, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { secretEncryption, secretRotation } from '../../../../aspects/rules';
import { judgeStack, resultsOf, statusOf } from '../../../support/compliance';
import { cfnOf, compliantInstance } from '../../../support/constructs';

describe(`${secretEncryption.id} secrets use a customer-managed key`, () => {
  const ID = secretEncryption.id;
  test('passes an L2 secret with a key', () => {
    expect(
      statusOf(
        judgeStack(
          'prod',
          (s) => new secretsmanager.Secret(s, 'S', { encryptionKey: new kms.Key(s, 'K', { enableKeyRotation: true }) }),
        ),
        ID,
      ),
    ).toBe('pass');
  });
  test.each(['dev', 'staging', 'prod'] as const)('fails an L2 secret on the AWS-managed key in %s', (env) => {
    expect(
      statusOf(
        judgeStack(env, (s) => new secretsmanager.Secret(s, 'S')),
        ID,
      ),
    ).toBe('fail');
  });
  test('fails an L1 secret naming the aws/secretsmanager alias', () => {
    expect(
      statusOf(
        judgeStack('prod', (s) => new secretsmanager.CfnSecret(s, 'S', { kmsKeyId: 'alias/aws/secretsmanager' })),
        ID,
      ),
    ).toBe('fail');
  });
  test('fails when an escape hatch removes the key', () => {
    const run = judgeStack('prod', (s) => {
      const secret = new secretsmanager.Secret(s, 'S', {
        encryptionKey: new kms.Key(s, 'K', { enableKeyRotation: true }),
      });
      (secret.node.defaultChild as secretsmanager.CfnSecret).addPropertyDeletionOverride('KmsKeyId');
    });
    expect(statusOf(run, ID)).toBe('fail');
  });
  test('fails a bare CfnResource secret', () => {
    expect(
      statusOf(
        judgeStack('prod', (s) => new CfnResource(s, 'S', { type: 'AWS::SecretsManager::Secret', properties: {} })),
        ID,
      ),
    ).toBe('fail');
  });
});

describe(`${secretEncryption.id} judges the key of each replica of a secret in another Region`, () => {
  const ID = secretEncryption.id;
  const replicated = (replica: (s: Stack) => secretsmanager.ReplicaRegion, multiRegion?: boolean) =>
    judgeStack('prod', (s) => {
      const key = new kms.Key(s, 'K', { enableKeyRotation: true, multiRegion });
      new secretsmanager.Secret(s, 'S', { encryptionKey: key, replicaRegions: [replica(s)] });
    });
  const replicaVerdicts = (run: ReturnType<typeof judgeStack>) =>
    resultsOf(run, ID)
      .filter((r) => r.evidence.startsWith('the replica'))
      .map((r) => `${r.status} ${r.evidence}`);
  test('fails a replica with no key (L2): aws/secretsmanager of that Region', () => {
    expect(replicaVerdicts(replicated(() => ({ region: 'eu-west-1' })))).toEqual([
      'fail the replica in eu-west-1: KmsKeyId not set (the AWS-managed key aws/secretsmanager)',
    ]);
  });
  test('fails a replica given the AWS-managed alias (L1)', () => {
    const run = judgeStack('prod', (s) => {
      new secretsmanager.CfnSecret(s, 'S', {
        kmsKeyId: new kms.Key(s, 'K', { enableKeyRotation: true }).keyArn,
        replicaRegions: [{ region: 'eu-west-1', kmsKeyId: 'alias/aws/secretsmanager' }],
      });
    });
    expect(replicaVerdicts(run)).toEqual([expect.stringMatching(/^fail the replica in eu-west-1: .*AWS-managed/)]);
  });
  test('passes a replica under a multi-Region key of the app, and cannot verify one under a single-Region key', () => {
    const withKey = (s: Stack) => ({ region: 'eu-west-1', encryptionKey: s.node.findChild('K') as kms.IKey });
    expect(replicaVerdicts(replicated(withKey, true))).toEqual([expect.stringMatching(/^pass .*a multi-Region key/)]);
    expect(replicaVerdicts(replicated(withKey, false))).toEqual([
      expect.stringMatching(/^cannot-verify .*cannot encrypt a replica elsewhere unless it is multi-Region/),
    ]);
  });
  test("cannot verify a replica under a key of another Region's ARN, added by an escape hatch", () => {
    const escaped = judgeStack('prod', (s) => {
      const secret = new secretsmanager.Secret(s, 'S', {
        encryptionKey: new kms.Key(s, 'K', { enableKeyRotation: true }),
      });
      (secret.node.defaultChild as secretsmanager.CfnSecret).addPropertyOverride('ReplicaRegions', [
        {
          Region: 'eu-west-1',
          KmsKeyId: 'arn:aws:kms:eu-west-1:111111111111:key/mrk-1234abcd12ab34cd56ef1234567890ab',
        },
      ]);
    });
    expect(replicaVerdicts(escaped)).toEqual([expect.stringMatching(/^cannot-verify .*a key outside this app/)]);
  });
});

describe(`${secretEncryption.id} judges the secret a database's master password is read from`, () => {
  const ID = secretEncryption.id;
  const passwordVerdicts = (run: ReturnType<typeof judgeStack>) =>
    resultsOf(run, ID)
      .filter((r) => r.location === 'Properties/MasterUserPassword')
      .map((r) => `${r.status} ${r.severity} ${r.evidence}`);
  test('passes the secret an L2 instance generates, through its target attachment', () => {
    expect(passwordVerdicts(judgeStack('prod', (s) => compliantInstance(s)))).toEqual([
      expect.stringMatching(/^pass error the master password's secret \w*DbSecret\w+, judged on its own$/),
    ]);
  });
  test('passes an L2 secret of another stack of the app, named by an L1 instance through its export', () => {
    const run = judgeStack(
      'prod',
      () => undefined,
      {},
      (app) => {
        const shared = new Stack(app, 'Secrets');
        const secret = new secretsmanager.Secret(shared, 'Admin', {
          encryptionKey: new kms.Key(shared, 'K', { enableKeyRotation: true }),
          generateSecretString: { secretStringTemplate: '{"username":"admin_user"}', generateStringKey: 'password' },
        });
        new rds.CfnDBInstance(new Stack(app, 'Data'), 'Db', {
          engine: 'postgres',
          masterUsername: 'admin_user',
          masterUserPassword: secret.secretValueFromJson('password').unsafeUnwrap(),
        });
      },
    );
    expect(passwordVerdicts(run)).toEqual([
      expect.stringMatching(/^pass error the master password's secret Admin[0-9A-F]+ of Secrets, judged on its own$/),
    ]);
  });
  test.each([
    [
      'an L2 secret imported by name',
      (s: Stack) =>
        compliantInstance(s, {
          credentials: rds.Credentials.fromSecret(
            secretsmanager.Secret.fromSecretNameV2(s, 'Legacy', 'orders/legacy-admin'),
          ),
        }),
      /read from .*orders\/legacy-admin/,
    ],
    [
      'a name written in the reference (escape hatch)',
      (s: Stack) =>
        cfnOf(compliantInstance(s)).addPropertyOverride(
          'MasterUserPassword',
          '{{resolve:secretsmanager:orders/legacy-admin:SecretString:password}}',
        ),
      /read from orders\/legacy-admin, a secret outside this app/,
    ],
    [
      'a parameter in a Fn::Sub (L1)',
      (s: Stack) =>
        new rds.CfnDBInstance(s, 'Raw', {
          engine: 'postgres',
          masterUsername: 'admin_user',
          masterUserPassword: Fn.sub('{{resolve:secretsmanager:${Name}:SecretString:password}}', {
            Name: new CfnParameter(s, 'SecretName').valueAsString,
          }),
        }),
      /read from \$\{Name\}, a secret outside this app/,
    ],
  ])('cannot verify %s', (_, build, evidence) => {
    expect(passwordVerdicts(judgeStack('prod', build))).toEqual([
      expect.stringMatching(new RegExp(`^cannot-verify error .*${evidence.source}`)),
    ]);
  });
});

describe(`${secretRotation.id} secrets rotate`, () => {
  const ID = secretRotation.id;
  const rotated = (s: Parameters<Parameters<typeof judgeStack>[1]>[0]) => {
    const secret = new secretsmanager.Secret(s, 'S');
    const fn = new lambda.Function(s, 'Rotator', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler=async()=>{}'),
    });
    secret.addRotationSchedule('Rotation', { rotationLambda: fn, automaticallyAfter: Duration.days(30) });
  };
  test('passes a secret with a rotation schedule', () => {
    expect(statusOf(judgeStack('prod', rotated), ID)).toBe('pass');
  });
  test.each([
    ['prod', 'fail'],
    ['staging', 'warn'],
  ] as const)('fails an L2 secret without rotation (%s: %s)', (env, status) => {
    expect(
      statusOf(
        judgeStack(env, (s) => new secretsmanager.Secret(s, 'S')),
        ID,
      ),
    ).toBe(status);
  });
  test('is not evaluated in dev', () => {
    expect(
      resultsOf(
        judgeStack('dev', (s) => new secretsmanager.Secret(s, 'S')),
        ID,
      ),
    ).toEqual([]);
  });
  test('fails an L1 secret and a bare CfnResource secret', () => {
    const run = judgeStack('prod', (s) => {
      new secretsmanager.CfnSecret(s, 'L1', {});
      new CfnResource(s, 'Bare', { type: 'AWS::SecretsManager::Secret' });
    });
    expect(resultsOf(run, ID).map((r) => r.status)).toEqual(['fail', 'fail']);
  });
  test('fails when an escape hatch points the schedule at another secret', () => {
    const run = judgeStack('prod', (s) => {
      rotated(s);
      (
        s.node.findChild('S').node.findChild('Rotation').node.defaultChild as secretsmanager.CfnRotationSchedule
      ).addPropertyOverride('SecretId', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:other');
    });
    expect(statusOf(run, ID)).toBe('fail');
  });
});
