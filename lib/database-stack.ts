/**
 * `SpendSense-Database-<env>`: the kit's deployment unit, a thin stack around one `DatabasePlatform` named `spendsense`,
 * with the outputs the post-deployment scripts read.
 */
import { CfnOutput, Stack, StackProps, Tags } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { markComplianceTarget } from '../aspects/environment';
import { DATABASE_NAME, DatabasePlatform } from './database/platform';
import { databaseNames, KIT_DATABASE_NAME } from './database/names';
import { EnvironmentName, EnvironmentProfile, stackName } from './profiles';

export {
  DATABASE_NAME,
  MASTER_USERNAME,
  LOG_EXPORTS,
  CONNECTION_SECRET_PLACEHOLDER,
  allowCloudWatchLogs,
  engineVersion,
} from './database/platform';
export { KIT_ACKNOWLEDGEMENTS_EXPIRE } from './database/deliberate-findings';

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

/** `spendsense/<env>/database/credentials`, the generated credentials of the kit's own database. */
export function credentialsSecretName(env: EnvironmentName): string {
  return databaseNames(KIT_DATABASE_NAME, env).credentialsSecretName;
}
/** `spendsense/<env>/database/connection`, the connection string secret of the kit's own database. */
export function connectionSecretName(env: EnvironmentName): string {
  return databaseNames(KIT_DATABASE_NAME, env).connectionSecretName;
}

export interface DatabaseStackProps extends StackProps {
  /** The environment profile, defaults and overrides already applied and validated. */
  readonly profile: EnvironmentProfile;
}

/**
 * The SpendSense PostgreSQL platform of one environment, as the seed deploys it: stack `SpendSense-Database-<env>`
 * (CloudFormation name `spendsense-<env>` and physical names under `spendsense`), termination protection with deletion
 * protection, and its outputs.
 */
export class DatabaseStack extends Stack {
  readonly profile: EnvironmentProfile;
  readonly platform: DatabasePlatform;
  readonly key: kms.Key;
  readonly vpc: ec2.IVpc;
  readonly database: rds.DatabaseInstance;
  readonly credentialsSecret: secretsmanager.ISecret;
  readonly connectionSecret: secretsmanager.Secret;
  readonly lambdaSecurityGroup: ec2.SecurityGroup;
  readonly databaseSecurityGroup: ec2.SecurityGroup;
  readonly proxy?: rds.DatabaseProxy;
  readonly secretsManagerEndpoint?: ec2.InterfaceVpcEndpoint;

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
    // The stack's own template-level findings (transforms, outputs) belong to the profile's environment too.
    markComplianceTarget(this, {
      environment: profile.name,
      nagPacks: profile.nagPacks,
      minBackupRetentionDays: profile.minBackupRetentionDays,
    });
    // 'Default' keeps the platform out of logical ids, so stacks deployed before the construct existed update in place.
    this.platform = new DatabasePlatform(this, 'Default', { name: KIT_DATABASE_NAME, profile });
    ({
      key: this.key,
      vpc: this.vpc,
      database: this.database,
      credentialsSecret: this.credentialsSecret,
      connectionSecret: this.connectionSecret,
      lambdaSecurityGroup: this.lambdaSecurityGroup,
      databaseSecurityGroup: this.databaseSecurityGroup,
      proxy: this.proxy,
      secretsManagerEndpoint: this.secretsManagerEndpoint,
    } = this.platform);
    this.addOutputs();
    Tags.of(this).add('Project', 'SpendSense');
    Tags.of(this).add('Environment', profile.name);
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
