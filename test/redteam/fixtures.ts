/**
 * Building blocks for the red-team cases: a team's prod PostgreSQL stack that passes every kit rule and the three cdk-nag
 * packs the red-team gate runs, so that a case which breaks one control fails for that control alone.
 */
import { Aws, CfnCondition, CfnDeletionPolicy, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct, IConstruct } from 'constructs';
import type * as KitModule from '../..';

/** The package root (`lib/index.ts`), as a team imports it. */
export type Kit = typeof KitModule;

/** Owner and expiry of every acknowledgement the fixtures make; the kit's own expire the same day. */
export const FIXTURE_OWNER = 'orders-team';
export const FIXTURE_EXPIRES = '2027-11-30';

/** A documentation range (RFC 5737): public address space that belongs to nobody. */
export const PUBLIC_TEST_CIDR = '198.51.100.0/24';

/** A non-default port, so that AwsSolutions-RDS11 is fixed rather than acknowledged. */
export const TEAM_DB_PORT = 5433;

/** Accepts `ruleId` on `scope` the way a team must: with the kit's acknowledge() (reason, owner, expiry). */
export function accept(kit: Kit, scope: IConstruct, ruleId: string, reason: string): void {
  kit.acknowledge(scope, { ruleId, reason, owner: FIXTURE_OWNER, expires: FIXTURE_EXPIRES });
}

/** A customer-managed key with rotation that CloudWatch Logs of this account may use (flow logs, log exports). */
export function teamKey(kit: Kit, scope: Construct, id = 'Key'): kms.Key {
  const key = new kms.Key(scope, id, { enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
  kit.allowCloudWatchLogs(key);
  return key;
}

export interface TeamVpcOptions {
  /** Subnet groups; isolated only by default. */
  readonly subnetConfiguration?: ec2.SubnetConfiguration[];
}

/** A VPC with isolated subnets and encrypted flow logs, as the kit builds its own. */
export function teamVpc(kit: Kit, scope: Construct, key: kms.IKey, options: TeamVpcOptions = {}): ec2.Vpc {
  const vpc = new ec2.Vpc(scope, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: options.subnetConfiguration ?? [
      { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
  });
  const flowLogs = new logs.LogGroup(scope, 'FlowLogGroup', {
    encryptionKey: key,
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const flowLog = vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) });
  for (const prefix of ['NIST.800.53.R5', 'PCI.DSS.321']) {
    accept(
      kit,
      vpc,
      `${prefix}-VPCDefaultSecurityGroupClosed`,
      "Nothing in this stack uses the VPC's default security group; closing it needs a custom-resource Lambda.",
    );
    accept(
      kit,
      flowLog,
      `${prefix}-IAMNoInlinePolicy`,
      'CDK-generated least-privilege policy that only lets the flow log write to its own log group.',
    );
  }
  return vpc;
}

export interface TeamDatabase {
  readonly stack: Stack;
  readonly key: kms.Key;
  readonly vpc: ec2.Vpc;
  readonly securityGroup: ec2.SecurityGroup;
  readonly clientGroup: ec2.SecurityGroup;
  readonly db: rds.DatabaseInstance;
  readonly cfn: rds.CfnDBInstance;
  readonly secret: secretsmanager.ISecret;
}

/** An engine family the instance fixture can build, with what that family needs to be compliant. */
export interface EngineChoice {
  readonly engine: rds.IInstanceEngine;
  /** Parameters of the instance's own parameter group; `undefined` leaves the engine's default group. */
  readonly parameters?: Record<string, string>;
  readonly logExports: readonly string[];
  readonly rotation: (options: secretsmanager.SingleUserHostedRotationOptions) => secretsmanager.HostedRotation;
  readonly instanceType: ec2.InstanceType;
  readonly licenseModel?: rds.LicenseModel;
}

export const POSTGRES_17: EngineChoice = {
  engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
  parameters: { 'rds.force_ssl': '1', log_connections: '1' },
  logExports: ['postgresql', 'upgrade'],
  rotation: (o) => secretsmanager.HostedRotation.postgreSqlSingleUser(o),
  instanceType: ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE),
};

export interface TeamDatabaseOptions {
  readonly engine?: EngineChoice;
  /** Props of the instance that replace the compliant ones. */
  readonly instance?: Partial<rds.DatabaseInstanceProps>;
  readonly vpc?: TeamVpcOptions;
  /** The storage key; the stack's own key by default. */
  readonly storageKey?: kms.IKey;
  /** Leave the log export groups to RDS, which creates them at deploy time with no KMS key. */
  readonly noLogGroups?: boolean;
}

/**
 * A prod RDS instance a team writes without the kit's DatabaseStack: Multi-AZ, deletion protection, customer-managed
 * keys for storage, secret, Performance Insights and logs, TLS forced, isolated subnets, IAM auth (where the engine
 * has it), hosted rotation, snapshot on removal and 14 days of backups.
 *
 * Rotation is hosted (the SecretsManager transform) as in the kit: `addRotationSingleUser()` deploys a serverless
 * application through the `AWS::Serverless-2016-10-31` transform, a template the gate cannot judge before deploy.
 */
export function teamDatabase(kit: Kit, stack: Stack, options: TeamDatabaseOptions = {}): TeamDatabase {
  const choice = options.engine ?? POSTGRES_17;
  const key = teamKey(kit, stack);
  const vpc = teamVpc(kit, stack, key, options.vpc);
  const securityGroup = new ec2.SecurityGroup(stack, 'DatabaseSecurityGroup', {
    vpc,
    description: 'Orders database: its port from the client group only',
    allowAllOutbound: false,
  });
  const clientGroup = new ec2.SecurityGroup(stack, 'ClientSecurityGroup', {
    vpc,
    description: 'Orders database clients and the rotation function',
    allowAllOutbound: true,
  });
  const logGroups = (options.noLogGroups ? [] : choice.logExports).map(
    (type) =>
      new logs.LogGroup(stack, `LogGroup-${type}`, {
        logGroupName: `/aws/rds/instance/orders-prod/${type}`,
        encryptionKey: key,
        retention: logs.RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.RETAIN,
      }),
  );
  const sqlServer = choice.engine.engineType.startsWith('sqlserver');
  const db = new rds.DatabaseInstance(stack, 'Database', {
    instanceIdentifier: 'orders-prod',
    engine: choice.engine,
    instanceType: choice.instanceType,
    licenseModel: choice.licenseModel,
    credentials: rds.Credentials.fromGeneratedSecret('orders_admin', { encryptionKey: key }),
    parameterGroup: choice.parameters
      ? new rds.ParameterGroup(stack, 'ParameterGroup', { engine: choice.engine, parameters: choice.parameters })
      : undefined,
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    securityGroups: [securityGroup],
    port: TEAM_DB_PORT,
    multiAz: true,
    deletionProtection: true,
    storageEncrypted: true,
    storageEncryptionKey: options.storageKey ?? key,
    allocatedStorage: 100,
    storageType: rds.StorageType.GP3,
    backupRetention: Duration.days(14),
    removalPolicy: RemovalPolicy.SNAPSHOT,
    // SQL Server has no IAM database authentication.
    iamAuthentication: !sqlServer,
    cloudwatchLogsExports: [...choice.logExports],
    enablePerformanceInsights: true,
    performanceInsightEncryptionKey: key,
    monitoringInterval: Duration.seconds(60),
    autoMinorVersionUpgrade: true,
    copyTagsToSnapshot: true,
    publiclyAccessible: false,
    ...options.instance,
  });
  logGroups.forEach((g) => db.node.addDependency(g));
  db.connections.allowFrom(clientGroup, ec2.Port.tcp(TEAM_DB_PORT), 'Database port from the client group');
  const secret = db.secret!;
  rotateInVpc(secret, vpc, clientGroup, choice.rotation);
  acceptInstanceFindings(kit, db);
  return { stack, key, vpc, securityGroup, clientGroup, db, cfn: db.node.defaultChild as rds.CfnDBInstance, secret };
}

/** Hosted rotation from isolated subnets, which reach Secrets Manager through an interface endpoint. */
function rotateInVpc(
  secret: secretsmanager.ISecret,
  vpc: ec2.Vpc,
  clientGroup: ec2.SecurityGroup,
  rotation: EngineChoice['rotation'],
): void {
  const endpoint = vpc.addInterfaceEndpoint('SecretsManagerEndpoint', {
    service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    open: false,
  });
  endpoint.connections.allowFrom(clientGroup, ec2.Port.tcp(443), 'HTTPS to Secrets Manager from the client group');
  secret.addRotationSchedule('Rotation', {
    hostedRotation: rotation({
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [clientGroup],
    }),
    automaticallyAfter: Duration.days(30),
  });
}

/** What the kit itself acknowledges on its instance: the monitoring role's managed policy and the backup plan. */
function acceptInstanceFindings(kit: Kit, db: Construct): void {
  const monitoringRole = db.node.tryFindChild('MonitoringRole');
  if (monitoringRole) {
    accept(
      kit,
      monitoringRole,
      'AwsSolutions-IAM4',
      'Enhanced monitoring needs the AWS-managed AmazonRDSEnhancedMonitoringRole policy; it only publishes OS metrics.',
    );
  }
  accept(
    kit,
    db,
    'NIST.800.53.R5-RDSInBackupPlan',
    'Protected by RDS automated backups with 14-day point-in-time recovery and a snapshot on removal.',
  );
}

export interface TeamL1Database {
  readonly key: kms.Key;
  readonly vpc: ec2.Vpc;
  readonly securityGroup: ec2.SecurityGroup;
  readonly subnetGroup: rds.CfnDBSubnetGroup;
  readonly cfn: rds.CfnDBInstance;
}

/**
 * The same compliant prod instance written as `rds.CfnDBInstance`, with an RDS-managed master secret (encrypted with
 * the stack's key and rotated by RDS) so that no Secrets Manager resource is in the template.
 */
export function teamL1Database(
  kit: Kit,
  stack: Stack,
  props: Partial<rds.CfnDBInstanceProps> = {},
  options: { readonly vpc?: TeamVpcOptions } = {},
): TeamL1Database {
  const key = teamKey(kit, stack);
  const vpc = teamVpc(kit, stack, key, options.vpc);
  const securityGroup = new ec2.SecurityGroup(stack, 'DatabaseSecurityGroup', {
    vpc,
    description: 'Orders database: no ingress until a client group is admitted',
    allowAllOutbound: false,
  });
  const subnetGroup = new rds.CfnDBSubnetGroup(stack, 'SubnetGroup', {
    dbSubnetGroupDescription: 'Orders database: isolated subnets',
    subnetIds: vpc.isolatedSubnets.map((s) => s.subnetId),
  });
  const parameterGroup = new rds.CfnDBParameterGroup(stack, 'ParameterGroup', {
    family: 'postgres17',
    description: 'Orders database: TLS required',
    parameters: { 'rds.force_ssl': '1' },
  });
  const logExports = ['postgresql', 'upgrade'];
  const logGroups = logExports.map(
    (type) =>
      new logs.LogGroup(stack, `LogGroup-${type}`, {
        logGroupName: `/aws/rds/instance/orders-prod/${type}`,
        encryptionKey: key,
        retention: logs.RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.RETAIN,
      }),
  );
  const monitoringRole = new iam.Role(stack, 'MonitoringRole', {
    assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole')],
  });
  accept(
    kit,
    monitoringRole,
    'AwsSolutions-IAM4',
    'Enhanced monitoring needs the AWS-managed AmazonRDSEnhancedMonitoringRole policy; it only publishes OS metrics.',
  );
  const cfn = new rds.CfnDBInstance(stack, 'Database', {
    dbInstanceIdentifier: 'orders-prod',
    engine: 'postgres',
    engineVersion: '17.4',
    dbInstanceClass: 'db.m7g.large',
    allocatedStorage: '100',
    storageType: 'gp3',
    port: String(TEAM_DB_PORT),
    multiAz: true,
    deletionProtection: true,
    storageEncrypted: true,
    kmsKeyId: key.keyArn,
    backupRetentionPeriod: 14,
    publiclyAccessible: false,
    dbSubnetGroupName: subnetGroup.ref,
    vpcSecurityGroups: [securityGroup.securityGroupId],
    dbParameterGroupName: parameterGroup.ref,
    masterUsername: 'orders_admin',
    manageMasterUserPassword: true,
    masterUserSecret: { kmsKeyId: key.keyArn },
    enableIamDatabaseAuthentication: true,
    enablePerformanceInsights: true,
    performanceInsightsKmsKeyId: key.keyArn,
    enableCloudwatchLogsExports: logExports,
    monitoringInterval: 60,
    monitoringRoleArn: monitoringRole.roleArn,
    autoMinorVersionUpgrade: true,
    copyTagsToSnapshot: true,
    ...props,
  });
  cfn.cfnOptions.deletionPolicy = CfnDeletionPolicy.SNAPSHOT;
  cfn.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.SNAPSHOT;
  logGroups.forEach((g) => cfn.node.addDependency(g));
  accept(
    kit,
    cfn,
    'NIST.800.53.R5-RDSInBackupPlan',
    'Protected by RDS automated backups with 14-day point-in-time recovery and a snapshot on removal.',
  );
  return { key, vpc, securityGroup, subnetGroup, cfn };
}

export interface TeamAurora {
  readonly key: kms.Key;
  readonly cluster: rds.DatabaseCluster;
  readonly writer: rds.CfnDBInstance;
  readonly reader: rds.CfnDBInstance;
}

/** An Aurora PostgreSQL cluster with a writer and a reader, TLS forced by its cluster parameter group. */
export function teamAurora(
  kit: Kit,
  stack: Stack,
  instance: Partial<rds.ProvisionedClusterInstanceProps> = {},
  reader: Partial<rds.ProvisionedClusterInstanceProps> = {},
): TeamAurora {
  const key = teamKey(kit, stack);
  const vpc = teamVpc(kit, stack, key);
  const engine = rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_6 });
  const securityGroup = new ec2.SecurityGroup(stack, 'DatabaseSecurityGroup', {
    vpc,
    description: 'Orders cluster: its port from the client group only',
    allowAllOutbound: false,
  });
  const clientGroup = new ec2.SecurityGroup(stack, 'ClientSecurityGroup', {
    vpc,
    description: 'Orders cluster clients and the rotation function',
    allowAllOutbound: true,
  });
  const logGroup = new logs.LogGroup(stack, 'LogGroup-postgresql', {
    logGroupName: '/aws/rds/cluster/orders-prod/postgresql',
    encryptionKey: key,
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const instanceProps: rds.ProvisionedClusterInstanceProps = {
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.LARGE),
    publiclyAccessible: false,
    enablePerformanceInsights: true,
    performanceInsightEncryptionKey: key,
    autoMinorVersionUpgrade: true,
  };
  const cluster = new rds.DatabaseCluster(stack, 'Cluster', {
    clusterIdentifier: 'orders-prod',
    engine,
    credentials: rds.Credentials.fromGeneratedSecret('orders_admin', { encryptionKey: key }),
    writer: rds.ClusterInstance.provisioned('Writer', { ...instanceProps, ...instance }),
    readers: [rds.ClusterInstance.provisioned('Reader', { ...instanceProps, ...reader })],
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    securityGroups: [securityGroup],
    port: TEAM_DB_PORT,
    parameterGroup: new rds.ParameterGroup(stack, 'ClusterParameterGroup', {
      engine,
      parameters: { 'rds.force_ssl': '1' },
    }),
    storageEncrypted: true,
    storageEncryptionKey: key,
    deletionProtection: true,
    backup: { retention: Duration.days(14) },
    removalPolicy: RemovalPolicy.SNAPSHOT,
    iamAuthentication: true,
    cloudwatchLogsExports: ['postgresql'],
    monitoringInterval: Duration.seconds(60),
    copyTagsToSnapshot: true,
  });
  cluster.node.addDependency(logGroup);
  cluster.connections.allowFrom(clientGroup, ec2.Port.tcp(TEAM_DB_PORT), 'PostgreSQL from the client group');
  rotateInVpc(cluster.secret!, vpc, clientGroup, (o) => secretsmanager.HostedRotation.postgreSqlSingleUser(o));
  acceptInstanceFindings(kit, cluster);
  const cfnOf = (id: string) => cluster.node.findChild(id).node.defaultChild as rds.CfnDBInstance;
  return { key, cluster, writer: cfnOf('Writer'), reader: cfnOf('Reader') };
}

/**
 * A Multi-AZ DB cluster (RDS for PostgreSQL, a writer and two readers in three AZs, declared by
 * `dbClusterInstanceClass`), written as L1 with an RDS-managed master secret.
 */
export function teamMultiAzCluster(
  kit: Kit,
  stack: Stack,
  props: Partial<rds.CfnDBClusterProps> = {},
): rds.CfnDBCluster {
  const key = teamKey(kit, stack);
  const vpc = teamVpc(kit, stack, key);
  const securityGroup = new ec2.SecurityGroup(stack, 'DatabaseSecurityGroup', {
    vpc,
    description: 'Orders cluster: no ingress until a client group is admitted',
    allowAllOutbound: false,
  });
  const subnetGroup = new rds.CfnDBSubnetGroup(stack, 'SubnetGroup', {
    dbSubnetGroupDescription: 'Orders cluster: isolated subnets',
    subnetIds: vpc.isolatedSubnets.map((s) => s.subnetId),
  });
  const parameterGroup = new rds.CfnDBClusterParameterGroup(stack, 'ClusterParameterGroup', {
    family: 'postgres17',
    description: 'Orders cluster: TLS required',
    parameters: { 'rds.force_ssl': '1' },
  });
  const cluster = new rds.CfnDBCluster(stack, 'Cluster', {
    dbClusterIdentifier: 'orders-prod',
    engine: 'postgres',
    engineVersion: '17.4',
    dbClusterInstanceClass: 'db.m6gd.large',
    storageType: 'io2',
    allocatedStorage: 100,
    iops: 1000,
    port: TEAM_DB_PORT,
    publiclyAccessible: false,
    storageEncrypted: true,
    kmsKeyId: key.keyArn,
    deletionProtection: true,
    backupRetentionPeriod: 14,
    dbSubnetGroupName: subnetGroup.ref,
    vpcSecurityGroupIds: [securityGroup.securityGroupId],
    dbClusterParameterGroupName: parameterGroup.ref,
    masterUsername: 'orders_admin',
    manageMasterUserPassword: true,
    masterUserSecret: { kmsKeyId: key.keyArn },
    enableIamDatabaseAuthentication: true,
    performanceInsightsEnabled: true,
    performanceInsightsKmsKeyId: key.keyArn,
    copyTagsToSnapshot: true,
    ...props,
  });
  cluster.cfnOptions.deletionPolicy = CfnDeletionPolicy.SNAPSHOT;
  cluster.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.SNAPSHOT;
  return cluster;
}

export interface KitProd {
  readonly stack: KitModule.DatabaseStack;
  readonly db: rds.CfnDBInstance;
}

/** The kit's prod stack, as a team composes it, with profile fields overridden. */
export function kitProd(
  kit: Kit,
  scope: Construct,
  id = 'SpendSense-Database-prod',
  profile: Partial<KitModule.EnvironmentProfile> = {},
): KitProd {
  const stack = new kit.DatabaseStack(scope, id, { profile: { ...kit.getProfile('prod'), ...profile } });
  return { stack, db: stack.database.node.defaultChild as rds.CfnDBInstance };
}

/** A condition only deploy time decides. */
export function deployTimeCondition(stack: Stack, id = 'InUsEast1'): CfnCondition {
  return new CfnCondition(stack, id, { expression: Fn.conditionEquals(Aws.REGION, 'us-east-1') });
}

/**
 * An RDS Proxy in front of the team's instance. DatabaseProxy admits itself into the database group on the instance's
 * port attribute, which cdk-nag cannot read; the port is written out, as the kit does for its own proxy.
 */
export function teamProxy(kit: Kit, t: TeamDatabase, requireTLS: boolean): rds.DatabaseProxy {
  const proxyGroup = new ec2.SecurityGroup(t.stack, 'ProxySecurityGroup', {
    vpc: t.vpc,
    description: 'Orders proxy: from the client group only',
    allowAllOutbound: false,
  });
  const proxy = new rds.DatabaseProxy(t.stack, 'Proxy', {
    proxyTarget: rds.ProxyTarget.fromInstance(t.db),
    secrets: [t.secret],
    vpc: t.vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    securityGroups: [proxyGroup],
    requireTLS,
    iamAuth: true,
  });
  for (const child of t.securityGroup.node.children) {
    if (child instanceof ec2.CfnSecurityGroupIngress && child.sourceSecurityGroupId === proxyGroup.securityGroupId) {
      child.fromPort = TEAM_DB_PORT;
      child.toPort = TEAM_DB_PORT;
    }
  }
  proxy.connections.allowFrom(t.clientGroup, ec2.Port.tcp(TEAM_DB_PORT), 'PostgreSQL from the client group');
  for (const prefix of ['NIST.800.53.R5', 'PCI.DSS.321']) {
    accept(
      kit,
      proxy,
      `${prefix}-IAMNoInlinePolicy`,
      "CDK-generated least-privilege policy that only lets the proxy read its target's secret.",
    );
  }
  return proxy;
}
