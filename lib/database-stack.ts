import { Aws, CfnOutput, Duration, RemovalPolicy, SecretValue, Stack, StackProps, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DatabaseRemovalPolicy, EnvironmentProfile, StorageType, stackName } from './profiles';
import { supportsEnhancedMonitoring, supportsPerformanceInsights, toEc2InstanceType } from './instance-classes';
import { acknowledge } from '../aspects/acknowledgements';
import { markComplianceTarget } from '../aspects/environment';
import { secretRotation } from '../aspects/rules/secrets/rotation';

export const DATABASE_NAME = 'spendsense';
export const MASTER_USERNAME = 'spendsense_admin';
/** Log types RDS for PostgreSQL exports to CloudWatch Logs. */
export const LOG_EXPORTS = ['postgresql', 'upgrade'] as const;

/** Output keys of `SpendSense-Database-<env>`: the seed's, the database group and, with the proxy, its endpoint. */
export const OUTPUT_KEYS = [
  'DatabaseEndpoint',
  'DatabasePort',
  'DatabaseName',
  'CredentialsSecretArn',
  'ConnectionSecretArn',
  'LambdaSecurityGroupId',
  'DatabaseSecurityGroupId',
  'ProxyEndpoint',
] as const;
export type OutputKey = (typeof OUTPUT_KEYS)[number];

export function credentialsSecretName(env: string): string {
  return `spendsense/${env}/database/credentials`;
}
export function connectionSecretName(env: string): string {
  return `spendsense/${env}/database/connection`;
}

/** The connection secret's value until `npm run secret:sync` writes the real one. */
export const CONNECTION_SECRET_PLACEHOLDER = {
  host: 'PENDING_SYNC',
  port: 'PENDING_SYNC',
  database: DATABASE_NAME,
  username: MASTER_USERNAME,
  password: 'PENDING_SYNC',
  connection_string: 'PENDING_SYNC',
} as const;

export interface DatabaseStackProps extends StackProps {
  /** The environment profile, defaults and overrides already applied and validated. */
  readonly profile: EnvironmentProfile;
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
 * The SpendSense PostgreSQL platform of one environment: network, KMS key, RDS instance, secrets, rotation, security
 * groups and, optionally, an RDS Proxy.
 */
export class DatabaseStack extends Stack {
  readonly profile: EnvironmentProfile;
  readonly key: kms.Key;
  readonly vpc: ec2.IVpc;
  readonly database: rds.DatabaseInstance;
  readonly credentialsSecret: secretsmanager.ISecret;
  readonly connectionSecret: secretsmanager.Secret;
  readonly lambdaSecurityGroup: ec2.SecurityGroup;
  readonly databaseSecurityGroup: ec2.SecurityGroup;
  readonly proxy?: rds.DatabaseProxy;
  /** Present when the stack creates its own VPC. */
  secretsManagerEndpoint?: ec2.InterfaceVpcEndpoint;

  constructor(scope: Construct, id: string, props: DatabaseStackProps) {
    const { profile } = props;
    super(scope, id, {
      stackName: stackName(profile.name),
      description: `SpendSense PostgreSQL database platform (${profile.name})`,
      env: profile.account
        ? { account: profile.account, region: profile.region }
        : profile.pinRegion
          ? { region: profile.region }
          : undefined,
      terminationProtection: profile.deletionProtection,
      ...props,
    });
    this.profile = profile;
    const env = profile.name;
    markComplianceTarget(this, {
      environment: env,
      nagPacks: profile.nagPacks,
      minBackupRetentionDays: profile.minBackupRetentionDays,
    });
    const keepsData = profile.removalPolicy !== 'destroy';
    const identifier = `spendsense-${env}`;

    this.key = new kms.Key(this, 'Key', {
      alias: `alias/spendsense/${env}/database`,
      description: `SpendSense ${env} database: storage, secrets, Performance Insights and logs`,
      enableKeyRotation: true,
      // Snapshots kept on delete are unreadable without their key, so the key outlives the database.
      removalPolicy: keepsData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    allowCloudWatchLogs(this.key);

    const logRetention = env === 'prod' ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH;
    const ownsVpc = profile.vpcId === undefined;
    this.vpc = ownsVpc ? this.createVpc(logRetention) : ec2.Vpc.fromLookup(this, 'Vpc', { vpcId: profile.vpcId });
    const subnets: ec2.SubnetSelection = ownsVpc
      ? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }
      : {
          subnetType:
            this.vpc.privateSubnets.length > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED,
        };

    this.lambdaSecurityGroup = new ec2.SecurityGroup(this, 'LambdaSecurityGroup', {
      vpc: this.vpc,
      description: `SpendSense ${env}: Lambda functions that use the database`,
      allowAllOutbound: true,
    });
    this.databaseSecurityGroup = new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc: this.vpc,
      description: `SpendSense ${env}: PostgreSQL, from the Lambda group, the proxy and allowed CIDRs only`,
      allowAllOutbound: false,
    });

    const parameterGroup = new rds.ParameterGroup(this, 'ParameterGroup', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: engineVersion(profile.engineVersion) }),
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
          logGroupName: `/aws/rds/instance/${identifier}/${type}`,
          encryptionKey: this.key,
          retention: logRetention,
          removalPolicy: keepsData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        }),
    );

    const performanceInsights = supportsPerformanceInsights(profile.instanceClass);
    this.database = new rds.DatabaseInstance(this, 'Database', {
      instanceIdentifier: identifier,
      engine: rds.DatabaseInstanceEngine.postgres({ version: engineVersion(profile.engineVersion) }),
      instanceType: new ec2.InstanceType(toEc2InstanceType(profile.instanceClass)),
      databaseName: DATABASE_NAME,
      credentials: rds.Credentials.fromGeneratedSecret(MASTER_USERNAME, {
        secretName: credentialsSecretName(env),
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
    logGroups.forEach((g) => this.database.node.addDependency(g));
    this.credentialsSecret = this.database.secret!;

    this.database.connections.allowFrom(
      this.lambdaSecurityGroup,
      ec2.Port.tcp(profile.port),
      'PostgreSQL from the Lambda group',
    );
    for (const cidr of profile.allowedCidrs) {
      const peer = cidr.includes(':') ? ec2.Peer.ipv6(cidr) : ec2.Peer.ipv4(cidr);
      this.database.connections.allowFrom(peer, ec2.Port.tcp(profile.port), `PostgreSQL from allowed CIDR ${cidr}`);
    }

    // Hosted single-user rotation runs in the VPC as a Lambda client of the database.
    this.credentialsSecret.addRotationSchedule('Rotation', {
      hostedRotation: secretsmanager.HostedRotation.postgreSqlSingleUser({
        functionName: `spendsense-${env}-credentials-rotation`,
        vpc: this.vpc,
        vpcSubnets: subnets,
        securityGroups: [this.lambdaSecurityGroup],
      }),
      automaticallyAfter: Duration.days(profile.rotationDays),
    });

    this.secretsManagerEndpoint?.connections.allowFrom(
      this.lambdaSecurityGroup,
      ec2.Port.tcp(443),
      'HTTPS to Secrets Manager from the Lambda group',
    );

    this.connectionSecret = new secretsmanager.Secret(this, 'ConnectionSecret', {
      secretName: connectionSecretName(env),
      description: `SpendSense ${env}: connection string, written by 'npm run secret:sync' after deploy`,
      encryptionKey: this.key,
      // Placeholders only: the real value never passes through the template.
      secretStringValue: SecretValue.unsafePlainText(JSON.stringify(CONNECTION_SECRET_PLACEHOLDER)),
    });

    if (profile.rdsProxy) {
      const proxySecurityGroup = new ec2.SecurityGroup(this, 'ProxySecurityGroup', {
        vpc: this.vpc,
        description: `SpendSense ${env}: RDS Proxy, from the Lambda group only`,
        allowAllOutbound: false,
      });
      this.proxy = new rds.DatabaseProxy(this, 'Proxy', {
        dbProxyName: identifier,
        proxyTarget: rds.ProxyTarget.fromInstance(this.database),
        secrets: [this.credentialsSecret],
        vpc: this.vpc,
        vpcSubnets: subnets,
        securityGroups: [proxySecurityGroup],
        requireTLS: true,
        iamAuth: true,
      });
      // DatabaseProxy admits the proxy group into the database group on the instance's port attribute; write the
      // port the profile sets so that the rule is checkable before deploy.
      for (const child of this.databaseSecurityGroup.node.children) {
        if (
          child instanceof ec2.CfnSecurityGroupIngress &&
          child.sourceSecurityGroupId === proxySecurityGroup.securityGroupId
        ) {
          child.fromPort = profile.port;
          child.toPort = profile.port;
        }
      }
      this.proxy.connections.allowFrom(
        this.lambdaSecurityGroup,
        ec2.Port.tcp(profile.port),
        'PostgreSQL from the Lambda group',
      );
    }

    this.addOutputs();
    this.acknowledgeDeliberateFindings();
    Tags.of(this).add('Project', 'SpendSense');
    Tags.of(this).add('Environment', env);
  }

  private createVpc(retention: logs.RetentionDays): ec2.Vpc {
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
    });
    const flowLogGroup = new logs.LogGroup(this, 'FlowLogGroup', {
      encryptionKey: this.key,
      retention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup) });
    // The isolated subnets have no route out: rotation reaches Secrets Manager through an interface endpoint.
    this.secretsManagerEndpoint = vpc.addInterfaceEndpoint('SecretsManagerEndpoint', {
      service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      privateDnsEnabled: true,
      // Only the Lambda group (rotation and clients) may reach it; not the whole VPC CIDR.
      open: false,
    });
    return vpc;
  }

  /**
   * Findings this stack produces on purpose, each accepted on the narrowest construct with the reason an auditor needs.
   * Environment-dependent ones are acknowledged only where the profile makes them occur, so none goes stale.
   */
  private acknowledgeDeliberateFindings(): void {
    const { profile } = this;
    const owner = 'spendsense-platform';
    const expires = KIT_ACKNOWLEDGEMENTS_EXPIRE;
    const packs = nagPrefixes(profile.nagPacks);
    const ack = (scope: Construct, ruleId: string, reason: string) =>
      acknowledge(scope, { ruleId, reason, owner, expires });
    const forEachPack = (scope: Construct, rule: string, reason: string, from: string[] = packs.compliance) =>
      from.forEach((prefix) => ack(scope, `${prefix}-${rule}`, reason));

    ack(
      this.database.node.findChild('MonitoringRole'),
      'AwsSolutions-IAM4',
      'Enhanced monitoring needs the AWS-managed AmazonRDSEnhancedMonitoringRole policy; it only lets RDS publish OS metrics to CloudWatch Logs.',
    );
    if (profile.port === 5432) {
      ack(
        this.database,
        'AwsSolutions-RDS11',
        'The default PostgreSQL port is kept for client compatibility; the instance is reachable only from named security groups in isolated subnets, so a non-default port would add no protection.',
      );
    }
    const derived =
      'Holds a derived copy of the rotated credentials, rewritten by npm run secret:sync after every rotation; rotating it separately would desynchronise the two.';
    ack(this.connectionSecret, 'AwsSolutions-SMG4', derived);
    forEachPack(this.connectionSecret, 'SecretsManagerRotationEnabled', derived, packs.rotation);
    if (secretRotation.severity[profile.name] !== 'off') ack(this.connectionSecret, secretRotation.id, derived);
    forEachPack(
      this.database,
      'RDSInBackupPlan',
      `Protected by RDS automated backups with ${profile.backupRetentionDays}-day point-in-time recovery and snapshot-on-delete; an AWS Backup plan would duplicate them.`,
      packs.backupPlan,
    );
    forEachPack(
      this.vpc,
      'VPCDefaultSecurityGroupClosed',
      "No resource in this stack uses the VPC's default security group; closing it needs a custom-resource Lambda that adds more attack surface than it removes.",
    );
    const inlinePolicy =
      'CDK-generated least-privilege policy scoped to this stack’s own resources; a managed policy would be shared and broader.';
    if (this.vpc instanceof ec2.Vpc) forEachPack(this.vpc.node.findChild('FlowLog'), 'IAMNoInlinePolicy', inlinePolicy);
    if (this.proxy) forEachPack(this.proxy, 'IAMNoInlinePolicy', inlinePolicy);
    // prod may not acknowledge these: there the findings must fail synth.
    if (!profile.multiAz && profile.name !== 'prod') {
      const reason = `Single-AZ by the ${profile.name} profile to keep a non-production environment cheap; prod is Multi-AZ and cannot acknowledge this.`;
      ack(this.database, 'AwsSolutions-RDS3', reason);
      forEachPack(this.database, 'RDSMultiAZSupport', reason, packs.multiAz);
    }
    if (!profile.deletionProtection && profile.name !== 'prod') {
      const reason = `Deletion protection is off by the ${profile.name} profile so the environment can be torn down; a snapshot is still taken on delete.`;
      ack(this.database, 'AwsSolutions-RDS10', reason);
      forEachPack(this.database, 'RDSInstanceDeletionProtectionEnabled', reason, packs.deletionProtection);
    }
    if (profile.allowedCidrs.length > 0 && profile.name === 'dev') {
      ack(
        this.databaseSecurityGroup,
        'AwsSolutions-EC23',
        'Developer access CIDRs in dev are judged by SS-EC2-001: a single host is allowed, anything wider is a warning.',
      );
    }
  }

  private addOutputs(): void {
    const out = (id: OutputKey, value: string, description: string) => new CfnOutput(this, id, { value, description });
    out('DatabaseEndpoint', this.database.dbInstanceEndpointAddress, 'Database endpoint address');
    out('DatabasePort', this.database.dbInstanceEndpointPort, 'Database port');
    out('DatabaseName', DATABASE_NAME, 'Database name');
    out('CredentialsSecretArn', this.credentialsSecret.secretArn, 'Generated credentials secret (rotated)');
    out('ConnectionSecretArn', this.connectionSecret.secretArn, 'Connection string secret (npm run secret:sync)');
    out('LambdaSecurityGroupId', this.lambdaSecurityGroup.securityGroupId, 'Security group for Lambda clients');
    out('DatabaseSecurityGroupId', this.databaseSecurityGroup.securityGroupId, 'Security group of the database');
    if (this.proxy) out('ProxyEndpoint', this.proxy.endpoint, 'RDS Proxy endpoint (TLS and IAM auth required)');
  }
}

/** The last day the kit's own acknowledgements count; they are reviewed and renewed yearly. */
export const KIT_ACKNOWLEDGEMENTS_EXPIRE = '2027-11-30';

/** cdk-nag rule prefixes of the selected packs, grouped by which of them carry a given rule. */
function nagPrefixes(packs: readonly string[]) {
  const has = (p: string) => packs.includes(p);
  const prefix: Record<string, string> = {
    HIPAA: 'HIPAA.Security',
    NIST80053R5: 'NIST.800.53.R5',
    PCIDSS321: 'PCI.DSS.321',
  };
  const pick = (...names: string[]) => names.filter(has).map((n) => prefix[n]);
  return {
    compliance: pick('HIPAA', 'NIST80053R5', 'PCIDSS321'),
    rotation: pick('HIPAA', 'NIST80053R5'),
    backupPlan: pick('HIPAA', 'NIST80053R5'),
    multiAz: pick('HIPAA', 'NIST80053R5'),
    deletionProtection: pick('HIPAA', 'NIST80053R5'),
  };
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
