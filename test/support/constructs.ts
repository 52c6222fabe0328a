import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';

/** A small isolated VPC for test databases. */
export function testVpc(stack: Stack): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
}

/** An L2 PostgreSQL instance that passes every kit rule, with props overridable. */
export function compliantInstance(stack: Stack, props: Partial<rds.DatabaseInstanceProps> = {}): rds.DatabaseInstance {
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 });
  return new rds.DatabaseInstance(stack, 'Db', {
    engine,
    vpc: testVpc(stack),
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    credentials: rds.Credentials.fromGeneratedSecret('admin_user', { encryptionKey: key }),
    parameterGroup: new rds.ParameterGroup(stack, 'Params', { engine, parameters: { 'rds.force_ssl': '1' } }),
    multiAz: true,
    deletionProtection: true,
    storageEncrypted: true,
    storageEncryptionKey: key,
    backupRetention: Duration.days(14),
    publiclyAccessible: false,
    ...props,
  });
}

/** The L1 resource behind an L2 database. */
export function cfnOf(db: rds.DatabaseInstance): rds.CfnDBInstance {
  return db.node.defaultChild as rds.CfnDBInstance;
}
