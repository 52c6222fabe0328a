import { Aws, CfnOutput, CfnResource, Fn, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { storageEncryption } from '../../../../aspects/rules';
import { judgeStack, resultsOf, statusOf } from '../../../support/compliance';
import { cfnOf, compliantInstance } from '../../../support/constructs';

const ID = storageEncryption.id;

describe(`${ID} storage encrypted with a customer-managed key`, () => {
  test('passes an L2 instance with its own key', () => {
    expect(
      resultsOf(
        judgeStack('prod', (s) => compliantInstance(s)),
        ID,
      )[0],
    ).toMatchObject({ status: 'pass' });
  });

  test.each(['dev', 'staging', 'prod'] as const)('fails with the AWS-managed key in %s', (env) => {
    const run = judgeStack(env, (s) => compliantInstance(s, { storageEncryptionKey: undefined }));
    expect(resultsOf(run, ID)[0]).toMatchObject({
      status: 'fail',
      severity: 'error',
      evidence: expect.stringMatching(/AWS-managed key/),
    });
  });

  test('fails an unencrypted L1 instance', () => {
    const run = judgeStack(
      'prod',
      (s) => new rds.CfnDBInstance(s, 'Raw', { engine: 'postgres', storageEncrypted: false }),
    );
    expect(resultsOf(run, ID)[0]).toMatchObject({ status: 'fail', evidence: 'StorageEncrypted=false' });
  });

  test('fails when an escape hatch turns encryption off', () => {
    expect(
      statusOf(
        judgeStack('prod', (s) => cfnOf(compliantInstance(s)).addPropertyOverride('StorageEncrypted', false)),
        ID,
      ),
    ).toBe('fail');
  });

  test('fails a bare CfnResource naming the aws/rds alias', () => {
    const run = judgeStack(
      'prod',
      (s) =>
        new CfnResource(s, 'Bare', {
          type: 'AWS::RDS::DBInstance',
          properties: { StorageEncrypted: true, KmsKeyId: 'alias/aws/rds' },
        }),
    );
    expect(resultsOf(run, ID)[0]).toMatchObject({
      status: 'fail',
      evidence: 'StorageEncrypted=true, KmsKeyId=alias/aws/rds (AWS-managed)',
    });
  });

  test('cannot verify an imported key', () => {
    const run = judgeStack('prod', (s) =>
      cfnOf(compliantInstance(s)).addPropertyOverride('KmsKeyId', { 'Fn::ImportValue': 'shared-key' }),
    );
    expect(resultsOf(run, ID)[0]).toMatchObject({ status: 'cannot-verify', severity: 'error' });
  });

  test.each([
    [
      'an escape hatch restoring a snapshot',
      'DBSnapshotIdentifier',
      'arn:aws:rds:us-east-1:111111111111:snapshot:orders-2026',
    ],
    ['an escape hatch making a replica of an outside instance', 'SourceDBInstanceIdentifier', 'orders-legacy'],
    [
      'an escape hatch restoring a Multi-AZ DB cluster snapshot',
      'DBClusterSnapshotIdentifier',
      'arn:aws:rds:eu-west-1:222222222222:cluster-snapshot:partner-orders',
    ],
  ])('cannot verify %s, whatever StorageEncrypted and KmsKeyId say', (_, key, value) => {
    const run = judgeStack('prod', (s) => cfnOf(compliantInstance(s)).addPropertyOverride(key, value));
    expect(resultsOf(run, ID)).toEqual([
      expect.objectContaining({
        status: 'cannot-verify',
        severity: 'error',
        location: `Properties/${key}`,
        evidence: expect.stringContaining('whatever StorageEncrypted and KmsKeyId say'),
      }),
    ]);
  });

  test('an L2 instance from a snapshot cannot be verified', () => {
    const run = judgeStack('prod', (s) => {
      const template = compliantInstance(s);
      new rds.DatabaseInstanceFromSnapshot(s, 'Restored', {
        snapshotIdentifier: 'orders-2026-11-30',
        engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
        vpc: template.vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      });
    });
    expect(resultsOf(run, ID).map((r) => `${r.status} ${r.location}`)).toContain(
      'cannot-verify Properties/DBSnapshotIdentifier',
    );
  });

  test('an L1 instance restored from a Multi-AZ DB cluster snapshot cannot be verified, though it names a key', () => {
    const run = judgeStack('prod', (s) => {
      const key = new kms.Key(s, 'Key', { enableKeyRotation: true });
      new rds.CfnDBInstance(s, 'Restored', {
        dbInstanceClass: 'db.m7g.large',
        dbClusterSnapshotIdentifier: 'partner-orders-2026-12-01',
        storageEncrypted: true,
        kmsKeyId: key.keyArn,
      });
    });
    expect(resultsOf(run, ID).map((r) => `${r.status} ${r.location}`)).toEqual([
      'cannot-verify Properties/DBClusterSnapshotIdentifier',
    ]);
  });

  test("a replica of the app's own instance is encrypted as that instance, judged on its own", () => {
    const run = judgeStack('prod', (s) => {
      const source = compliantInstance(s);
      new rds.DatabaseInstanceReadReplica(s, 'Replica', {
        sourceDatabaseInstance: source,
        instanceType: ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE),
        vpc: source.vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      });
    });
    expect(resultsOf(run, ID).map((r) => `${r.status} ${r.location}`)).toEqual([
      'pass Properties/KmsKeyId',
      'pass Properties/SourceDBInstanceIdentifier',
    ]);
  });
});

describe(`${ID} with a key named by an alias of the app`, () => {
  const OUTSIDE = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const encryptedWith = (key: (s: Stack) => kms.IKey) => (s: Stack) =>
    compliantInstance(s, { storageEncryptionKey: key(s) });
  const verdict = (run: ReturnType<typeof judgeStack>) => {
    const [r] = resultsOf(run, ID);
    return `${r.status}: ${r.evidence}`;
  };

  test('passes an L2 alias of a key the app defines', () => {
    const run = judgeStack(
      'prod',
      encryptedWith(
        (s) =>
          new kms.Alias(s, 'DbAlias', {
            aliasName: 'alias/db',
            targetKey: new kms.Key(s, 'DbKey', { enableKeyRotation: true }),
          }),
      ),
    );
    expect(verdict(run)).toMatch(/^pass: .*an alias of DbKey/);
  });

  test.each([
    [
      'an L2 alias of an imported key',
      (s: Stack) =>
        new kms.Alias(s, 'DbAlias', { aliasName: 'alias/db', targetKey: kms.Key.fromKeyArn(s, 'Outside', OUTSIDE) }),
    ],
    [
      'an L1 alias over a key ARN, named by its Ref',
      (s: Stack) =>
        kms.Alias.fromAliasName(
          s,
          'Named',
          new kms.CfnAlias(s, 'DbAlias', { aliasName: 'alias/db', targetKeyId: OUTSIDE }).ref,
        ),
    ],
  ])('cannot verify %s: the real key is outside the app', (_, key) => {
    expect(verdict(judgeStack('prod', encryptedWith(key)))).toMatch(
      /^cannot-verify: .*a key outside this app, whose rotation and policy synthesis cannot see/,
    );
  });

  test("an alias of another stack, named by its name, cannot be verified: that stack may be another account's", () => {
    const run = judgeStack(
      'prod',
      () => undefined,
      {},
      (app) => {
        const keys = new Stack(app, 'Keys');
        const own = new kms.Alias(keys, 'Own', {
          aliasName: 'alias/own',
          targetKey: new kms.Key(keys, 'K', { enableKeyRotation: true }),
        });
        compliantInstance(app.node.findChild('TeamStack') as Stack, { storageEncryptionKey: own });
      },
    );
    expect(resultsOf(run, ID).filter((r) => r.stack === 'TeamStack')).toEqual([
      expect.objectContaining({ status: 'cannot-verify' }),
    ]);
  });
});

describe(`${ID} on a global database`, () => {
  const verdicts = (run: ReturnType<typeof judgeStack>) =>
    resultsOf(run, ID)
      .filter((r) => r.resourceType === 'AWS::RDS::GlobalCluster')
      .map((r) => `${r.status}: ${r.evidence}`);
  const global = (props: Partial<rds.CfnGlobalClusterProps>) => (s: Stack) =>
    new rds.CfnGlobalCluster(s, 'Global', props);

  test.each([
    [{ engine: 'aurora-postgresql' }, 'fail: StorageEncrypted=not set (false)'],
    [{ engine: 'aurora-postgresql', storageEncrypted: false }, 'fail: StorageEncrypted=false'],
    [
      { engine: 'aurora-postgresql', storageEncrypted: true },
      "pass: StorageEncrypted=true: each member cluster's key is judged on that cluster",
    ],
    [
      { sourceDbClusterIdentifier: 'arn:aws:rds:us-east-1:111111111111:cluster:orders' },
      'cannot-verify: SourceDBClusterIdentifier=arn:aws:rds:us-east-1:111111111111:cluster:orders: encrypted as that source is, whatever StorageEncrypted and KmsKeyId say',
    ],
  ])('judges %j', (props, verdict) => {
    expect(verdicts(judgeStack('prod', global(props)))).toEqual([verdict]);
  });

  test('created from a cluster of the app, it is encrypted as that cluster, judged on its own', () => {
    const run = judgeStack('prod', (s) => {
      const cluster = new rds.CfnDBCluster(s, 'Primary', { engine: 'aurora-postgresql', storageEncrypted: false });
      global({ sourceDbClusterIdentifier: cluster.attrDbClusterArn })(s);
    });
    expect(verdicts(run)).toEqual([expect.stringMatching(/^pass: SourceDBClusterIdentifier=Primary/)]);
    expect(resultsOf(run, ID).find((r) => r.logicalId === 'Primary')).toMatchObject({ status: 'fail' });
  });

  test('an escape hatch that turns it off fails', () => {
    const run = judgeStack('prod', (s) =>
      global({ engine: 'aurora-postgresql', storageEncrypted: true })(s).addPropertyOverride('StorageEncrypted', false),
    );
    expect(verdicts(run)).toEqual(['fail: StorageEncrypted=false']);
  });
});

describe(`${ID} with a key of another stack`, () => {
  const OUTSIDE = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const resultsIn = (run: ReturnType<typeof judgeStack>, stack: string) =>
    resultsOf(run, ID)
      .filter((r) => r.stack === stack)
      .map((r) => `${r.status}: ${r.evidence}`);

  test('an import reaches only the export of a stack in its own account and Region', () => {
    const run = judgeStack(
      'prod',
      () => undefined,
      {},
      (app) => {
        // The same export name in two Regions: only the stack's own Region's counts, as in CloudFormation.
        const us = new Stack(app, 'UsKeys', { env: { account: '111111111111', region: 'us-east-1' } });
        const eu = new Stack(app, 'EuShared', { env: { account: '111111111111', region: 'eu-west-1' } });
        new CfnOutput(us, 'Key', {
          value: new kms.Key(us, 'K', { enableKeyRotation: true }).keyArn,
          exportName: 'DbKey',
        });
        new CfnOutput(eu, 'Key', { value: OUTSIDE, exportName: 'DbKey' });
        const team = new Stack(app, 'EuTeam', { env: { account: '111111111111', region: 'eu-west-1' } });
        new rds.CfnDBInstance(team, 'Db', {
          engine: 'postgres',
          storageEncrypted: true,
          kmsKeyId: Fn.importValue('DbKey'),
        });
      },
    );
    expect(resultsIn(run, 'EuTeam')).toEqual([expect.stringMatching(/^cannot-verify: .*export DbKey of EuShared/)]);
  });

  test("an alias reached through an import is not mistaken for this stack's alias of the same logical id", () => {
    const run = judgeStack('prod', (team) => {
      const keys = new Stack(team.node.scope, 'Keys');
      const outside = new kms.CfnAlias(keys, 'Outside', { aliasName: 'alias/ext', targetKeyId: OUTSIDE });
      outside.overrideLogicalId('SharedAlias');
      const decoy = new kms.CfnAlias(team, 'Decoy', {
        aliasName: 'alias/decoy',
        targetKeyId: new kms.Key(team, 'K', { enableKeyRotation: true }).keyArn,
      });
      decoy.overrideLogicalId('SharedAlias');
      new rds.CfnDBInstance(team, 'Db', {
        engine: 'postgres',
        storageEncrypted: true,
        kmsKeyId: Fn.join('', ['arn:', Aws.PARTITION, ':kms:', Aws.REGION, ':', Aws.ACCOUNT_ID, ':', outside.ref]),
      });
    });
    expect(resultsIn(run, 'TeamStack')).toEqual([expect.stringMatching(/^cannot-verify: /)]);
  });

  test("an L2 alias in a stack of a fixed account and Region is that stack's alias", () => {
    const run = judgeStack(
      'prod',
      () => undefined,
      {},
      (app) => {
        const team = new Stack(app, 'EuTeam', { env: { account: '222222222222', region: 'eu-west-1' } });
        const key = new kms.Key(team, 'DbKey', { enableKeyRotation: true });
        compliantInstance(team, {
          storageEncryptionKey: new kms.Alias(team, 'DbAlias', { aliasName: 'alias/db', targetKey: key }),
        });
      },
    );
    expect(resultsIn(run, 'EuTeam')).toEqual([expect.stringMatching(/^pass: .*an alias of DbKey/)]);
  });
});
