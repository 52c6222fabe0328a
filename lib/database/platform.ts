/**
 * The PostgreSQL database platform of one environment as an L3 construct a team puts into its own `Stack`: network, KMS
 * key, RDS instance, secrets, rotation, security groups and, optionally, an RDS Proxy. `DatabaseStack` is a thin stack
 * around it.
 */
import { Aws, Duration, RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { markComplianceTarget } from '../../aspects/environment';
import { ConfigError } from '../config';
import { supportsEnhancedMonitoring, supportsPerformanceInsights, toEc2InstanceType } from '../instance-classes';
import { DatabaseRemovalPolicy, EnvironmentProfile, StorageType } from '../profiles';
import { acknowledgeDeliberateFindings } from './deliberate-findings';
import { DatabaseNames, databaseNameProblem, databaseNames } from './names';

export const DATABASE_NAME = 'spendsense';
export const MASTER_USERNAME = 'spendsense_admin';
/** Log types RDS for PostgreSQL exports to CloudWatch Logs. */
export const LOG_EXPORTS = ['postgresql', 'upgrade'] as const;

/** The connection secret's value until `npm run secret:sync` writes the real one. */
export const CONNECTION_SECRET_PLACEHOLDER = {
  host: 'PENDING_SYNC',
  port: 'PENDING_SYNC',
  database: DATABASE_NAME,
  username: MASTER_USERNAME,
  password: 'PENDING_SYNC',
  connection_string: 'PENDING_SYNC',
} as const;

export interface DatabasePlatformProps {
  /**
   * The name every physical name derives from (`<name>-<env>` instance and proxy, `<name>/<env>/database/*` secrets,
   * `alias/<name>/<env>/database`), so that two databases in one account never collide. The kit's own stacks use
   * `spendsense`; pick your own.
   */
  readonly name: string;
  /** The environment profile, defaults and overrides already applied and validated (`getProfile`, `resolveConfig`). */
  readonly profile: EnvironmentProfile;
  /**
   * The VPC to place the database in; its private subnets with egress are used when it has any, its isolated ones
   * otherwise.
   * @default the profile's `vpcId` looked up, or a new VPC with isolated subnets, flow logs and a Secrets Manager endpoint
   */
  readonly vpc?: ec2.IVpc;
}

const STORAGE_TYPES: Record<StorageType, rds.StorageType> = {
  gp2: rds.StorageType.GP2,
  gp3: rds.StorageType.GP3,
  io1: rds.StorageType.IO1,
  io2: rds.StorageType.IO2,
};

const REMOVAL_POLICIES: Record<DatabaseRemovalPolicy, RemovalPolicy> = {
  snapshot: RemovalPolicy.SNAPSHOT,
  retain: RemovalPolicy.RETAIN,
  destroy: RemovalPolicy.DESTROY,
};

/**
 * One environment's PostgreSQL database, judged by the kit's gate as that environment whatever the app around it says:
 * a prod profile is held to prod's policies even under `applyCompliance(app, { environment: 'dev' })`.
 */
export class DatabasePlatform extends Construct {
  readonly profile: EnvironmentProfile;
  readonly names: DatabaseNames;
  readonly key: kms.Key;
  readonly vpc: ec2.IVpc;
  readonly database: rds.DatabaseInstance;
  readonly credentialsSecret: secretsmanager.ISecret;
  readonly connectionSecret: secretsmanager.Secret;
  readonly lambdaSecurityGroup: ec2.SecurityGroup;
  readonly databaseSecurityGroup: ec2.SecurityGroup;
  readonly proxy?: rds.DatabaseProxy;
  /** Present when the construct creates its own VPC. */
  readonly secretsManagerEndpoint?: ec2.InterfaceVpcEndpoint;

  private readonly keepsData: boolean;
  private readonly logRetention: logs.RetentionDays;

  constructor(scope: Construct, id: string, props: DatabasePlatformProps) {
    super(scope, id);
    const problem = databaseNameProblem(props.name);
    if (problem) throw new ConfigError([`${this.node.path}: ${problem}`]);
    const { profile } = props;
    this.profile = profile;
    this.names = databaseNames(props.name, profile.name);
    markComplianceTarget(this, {
      environment: profile.name,
      nagPacks: profile.nagPacks,
      minBackupRetentionDays: profile.minBackupRetentionDays,
    });
    this.keepsData = profile.removalPolicy !== 'destroy';
    this.logRetention = profile.name === 'prod' ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH;

    this.key = this.createKey();
    const network = this.createNetwork(props.vpc);
    this.vpc = network.vpc;
    this.secretsManagerEndpoint = network.secretsManagerEndpoint;

    this.lambdaSecurityGroup = new ec2.SecurityGroup(this, 'LambdaSecurityGroup', {
      vpc: this.vpc,
      description: `SpendSense ${profile.name}: Lambda functions that use the database`,
      allowAllOutbound: true,
    });
    this.databaseSecurityGroup = new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc: this.vpc,
      description: `SpendSense ${profile.name}: PostgreSQL, from the Lambda group, the proxy and allowed CIDRs only`,
      allowAllOutbound: false,
    });

    this.database = this.createInstance(network.subnets);
    this.credentialsSecret = this.database.secret!;
    this.admitClients();
    this.addRotation(network.subnets);
    this.connectionSecret = this.createConnectionSecret();
    if (profile.rdsProxy) this.proxy = this.createProxy(network.subnets);

    acknowledgeDeliberateFindings(this);
  }

  /** One customer-managed key for storage, secrets, Performance Insights and logs, rotated yearly. */
  private createKey(): kms.Key {
    const env = this.profile.name;
    const key = new kms.Key(this, 'Key', {
      alias: this.names.keyAlias,
      description: `SpendSense ${env} database: storage, secrets, Performance Insights and logs`,
      enableKeyRotation: true,
      // Snapshots kept on delete are unreadable without their key, so the key outlives the database.
      removalPolicy: this.keepsData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    allowCloudWatchLogs(key);
    return key;
  }

  private createNetwork(given: ec2.IVpc | undefined): {
    vpc: ec2.IVpc;
    subnets: ec2.SubnetSelection;
    secretsManagerEndpoint?: ec2.InterfaceVpcEndpoint;
  } {
    const { vpcId } = this.profile;
    if (given || vpcId !== undefined) {
      const vpc = given ?? ec2.Vpc.fromLookup(this, 'Vpc', { vpcId });
      const subnetType =
        vpc.privateSubnets.length > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED;
      return { vpc, subnets: { subnetType } };
    }
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
    });
    const flowLogGroup = new logs.LogGroup(this, 'FlowLogGroup', {
      encryptionKey: this.key,
      retention: this.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup) });
    // The isolated subnets have no route out: rotation reaches Secrets Manager through an interface endpoint.
    const secretsManagerEndpoint = vpc.addInterfaceEndpoint('SecretsManagerEndpoint', {
      service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      privateDnsEnabled: true,
      // Only the Lambda group (rotation and clients) may reach it; not the whole VPC CIDR.
      open: false,
    });
    return { vpc, subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, secretsManagerEndpoint };
  }

  /** The instance with its TLS-only parameter group and encrypted log groups, which must exist before it. */
  private createInstance(subnets: ec2.SubnetSelection): rds.DatabaseInstance {
    const { profile, names } = this;
    const env = profile.name;
    const engine = rds.DatabaseInstanceEngine.postgres({ version: engineVersion(profile.engineVersion) });
    const parameterGroup = new rds.ParameterGroup(this, 'ParameterGroup', {
      engine,
      description: `SpendSense ${env}: TLS required, connections logged`,
      parameters: {
        'rds.force_ssl': '1',
        log_connections: '1',
        log_disconnections: '1',
      },
    });
    const logGroups = LOG_EXPORTS.map(
      (type) =>
        new logs.LogGroup(this, `LogGroup-${type}`, {
          logGroupName: names.logGroupName(type),
          encryptionKey: this.key,
          retention: this.logRetention,
          removalPolicy: this.keepsData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        }),
    );
    const performanceInsights = supportsPerformanceInsights(profile.instanceClass);
    const database = new rds.DatabaseInstance(this, 'Database', {
      instanceIdentifier: names.instanceIdentifier,
      engine,
      instanceType: new ec2.InstanceType(toEc2InstanceType(profile.instanceClass)),
      databaseName: DATABASE_NAME,
      credentials: rds.Credentials.fromGeneratedSecret(MASTER_USERNAME, {
        secretName: names.credentialsSecretName,
        encryptionKey: this.key,
      }),
      vpc: this.vpc,
      vpcSubnets: subnets,
      securityGroups: [this.databaseSecurityGroup],
      port: profile.port,
      parameterGroup,
      multiAz: profile.multiAz,
      deletionProtection: profile.deletionProtection,
      removalPolicy: REMOVAL_POLICIES[profile.removalPolicy],
      storageEncrypted: true,
      storageEncryptionKey: this.key,
      storageType: STORAGE_TYPES[profile.storageType],
      allocatedStorage: profile.allocatedStorage,
      maxAllocatedStorage: profile.maxAllocatedStorage,
      iops: profile.iops,
      backupRetention: Duration.days(profile.backupRetentionDays),
      copyTagsToSnapshot: true,
      iamAuthentication: true,
      cloudwatchLogsExports: [...LOG_EXPORTS],
      enablePerformanceInsights: performanceInsights,
      performanceInsightEncryptionKey: performanceInsights ? this.key : undefined,
      monitoringInterval: supportsEnhancedMonitoring(profile.instanceClass) ? Duration.seconds(60) : undefined,
      autoMinorVersionUpgrade: true,
      publiclyAccessible: false,
    });
    // RDS would create the export log groups itself, unencrypted and kept forever; ours must exist first.
    logGroups.forEach((g) => database.node.addDependency(g));
    return database;
  }

  /** PostgreSQL from the Lambda group and the profile's allowed CIDRs; nothing else. */
  private admitClients(): void {
    const { port, allowedCidrs } = this.profile;
    this.database.connections.allowFrom(
      this.lambdaSecurityGroup,
      ec2.Port.tcp(port),
      'PostgreSQL from the Lambda group',
    );
    for (const cidr of allowedCidrs) {
      const peer = cidr.includes(':') ? ec2.Peer.ipv6(cidr) : ec2.Peer.ipv4(cidr);
      this.database.connections.allowFrom(peer, ec2.Port.tcp(port), `PostgreSQL from allowed CIDR ${cidr}`);
    }
  }

  /** Hosted single-user rotation runs in the VPC as a Lambda client of the database. */
  private addRotation(subnets: ec2.SubnetSelection): void {
    this.credentialsSecret.addRotationSchedule('Rotation', {
      hostedRotation: secretsmanager.HostedRotation.postgreSqlSingleUser({
        functionName: this.names.rotationFunctionName,
        vpc: this.vpc,
        vpcSubnets: subnets,
        securityGroups: [this.lambdaSecurityGroup],
      }),
      automaticallyAfter: Duration.days(this.profile.rotationDays),
    });
    this.secretsManagerEndpoint?.connections.allowFrom(
      this.lambdaSecurityGroup,
      ec2.Port.tcp(443),
      'HTTPS to Secrets Manager from the Lambda group',
    );
  }

  private createConnectionSecret(): secretsmanager.Secret {
    return new secretsmanager.Secret(this, 'ConnectionSecret', {
      secretName: this.names.connectionSecretName,
      description: `SpendSense ${this.profile.name}: connection string, written by 'npm run secret:sync' after deploy`,
      encryptionKey: this.key,
      // Placeholders only: the real value never passes through the template.
      secretStringValue: SecretValue.unsafePlainText(JSON.stringify(CONNECTION_SECRET_PLACEHOLDER)),
    });
  }

  /** An RDS Proxy that requires TLS and IAM authentication, reachable from the Lambda group only. */
  private createProxy(subnets: ec2.SubnetSelection): rds.DatabaseProxy {
    const { port, name: env } = this.profile;
    const proxySecurityGroup = new ec2.SecurityGroup(this, 'ProxySecurityGroup', {
      vpc: this.vpc,
      description: `SpendSense ${env}: RDS Proxy, from the Lambda group only`,
      allowAllOutbound: false,
    });
    const proxy = new rds.DatabaseProxy(this, 'Proxy', {
      dbProxyName: this.names.proxyName,
      proxyTarget: rds.ProxyTarget.fromInstance(this.database),
      secrets: [this.credentialsSecret],
      vpc: this.vpc,
      vpcSubnets: subnets,
      securityGroups: [proxySecurityGroup],
      requireTLS: true,
      iamAuth: true,
    });
    // DatabaseProxy admits the proxy group into the database group on the instance's port attribute; write the port the
    // profile sets so that the rule is checkable before deploy.
    for (const child of this.databaseSecurityGroup.node.children) {
      if (
        child instanceof ec2.CfnSecurityGroupIngress &&
        child.sourceSecurityGroupId === proxySecurityGroup.securityGroupId
      ) {
        child.fromPort = port;
        child.toPort = port;
      }
    }
    proxy.connections.allowFrom(this.lambdaSecurityGroup, ec2.Port.tcp(port), 'PostgreSQL from the Lambda group');
    return proxy;
  }
}

/** `17` → the major version (RDS picks the minor); `17.6` → that exact version. */
export function engineVersion(version: string): rds.PostgresEngineVersion {
  const major = version.split('.')[0];
  return rds.PostgresEngineVersion.of(version, major);
}

/**
 * Lets CloudWatch Logs of the key's own account and region use `key` for its log groups (flow logs, RDS log exports),
 * and nothing else.
 */
export function allowCloudWatchLogs(key: kms.Key): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsInThisAccount',
      principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
        },
      },
    }),
  );
}
