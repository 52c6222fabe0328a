/**
 * Environment profiles: the typed data that decides what each SpendSense database environment looks like.
 *
 * Profiles are plain, readonly data. Stacks never read context or `process.env`; overrides from the command line are
 * parsed and validated once in `lib/config.ts` and produce a new profile object.
 */

export const ENVIRONMENT_NAMES = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

export const STORAGE_TYPES = ['gp3', 'gp2', 'io1', 'io2'] as const;
export type StorageType = (typeof STORAGE_TYPES)[number];

export const REMOVAL_POLICIES = ['snapshot', 'retain', 'destroy'] as const;
export type DatabaseRemovalPolicy = (typeof REMOVAL_POLICIES)[number];

/** cdk-nag rule packs the kit can run, by the names used in `-c nagPacks=...`. */
export const NAG_PACKS = ['AwsSolutions', 'HIPAA', 'NIST80053R5', 'PCIDSS321'] as const;
export type NagPackName = (typeof NAG_PACKS)[number];

export interface EnvironmentProfile {
  /** Environment name; also the suffix of the stack name `SpendSense-Database-<name>`. */
  readonly name: EnvironmentName;
  /** AWS region the stack targets. @default 'us-east-1' */
  readonly region: string;
  /** AWS account id. @default - none: the stack is environment-agnostic and synthesizes with no credentials */
  readonly account?: string;
  /**
   * Pin the stack to `region` even without an account (set by `-c region=...`), so that a deploy goes there rather
   * than to the CLI's default region. @default false: environment-agnostic unless `account` is set
   */
  readonly pinRegion?: boolean;
  /** PostgreSQL engine version: a major (`17`, auto minor upgrades pick the minor) or a full `major.minor`. */
  readonly engineVersion: string;
  /** RDS instance class, e.g. `db.t4g.micro`. */
  readonly instanceClass: string;
  readonly multiAz: boolean;
  readonly deletionProtection: boolean;
  /** Allocated storage in GiB. */
  readonly allocatedStorage: number;
  /** Upper bound for storage autoscaling, in GiB. */
  readonly maxAllocatedStorage: number;
  readonly storageType: StorageType;
  /** Provisioned IOPS: required for io1/io2, allowed for gp3 from 400 GiB, not allowed for gp2. */
  readonly iops?: number;
  readonly backupRetentionDays: number;
  /** The smallest backup retention the policy gate accepts for this environment. */
  readonly minBackupRetentionDays: number;
  readonly port: number;
  /** Put an RDS Proxy (TLS and IAM auth required) in front of the instance. */
  readonly rdsProxy: boolean;
  /** Rotate the generated credentials every N days (hosted single-user rotation). */
  readonly rotationDays: number;
  /** Extra CIDRs admitted on the database port (developer access). @default [] */
  readonly allowedCidrs: readonly string[];
  /** What happens to the database when it is removed from the stack. */
  readonly removalPolicy: DatabaseRemovalPolicy;
  /** cdk-nag packs run against this environment's stack. AwsSolutions is always among them. */
  readonly nagPacks: readonly NagPackName[];
  /** Use this existing VPC (looked up; needs account, region and credentials or cdk.context.json). @default - a new VPC */
  readonly vpcId?: string;
}

const DEFAULT_REGION = 'us-east-1';

export const profiles = {
  dev: {
    name: 'dev',
    region: DEFAULT_REGION,
    engineVersion: '17',
    instanceClass: 'db.t4g.micro',
    multiAz: false,
    deletionProtection: false,
    allocatedStorage: 20,
    maxAllocatedStorage: 50,
    storageType: 'gp3',
    backupRetentionDays: 1,
    minBackupRetentionDays: 1,
    port: 5432,
    rdsProxy: false,
    rotationDays: 30,
    allowedCidrs: [],
    removalPolicy: 'snapshot',
    nagPacks: ['AwsSolutions'],
  },
  staging: {
    name: 'staging',
    region: DEFAULT_REGION,
    engineVersion: '17',
    instanceClass: 'db.t4g.medium',
    multiAz: true,
    deletionProtection: true,
    allocatedStorage: 50,
    maxAllocatedStorage: 200,
    storageType: 'gp3',
    backupRetentionDays: 7,
    minBackupRetentionDays: 7,
    port: 5432,
    rdsProxy: false,
    rotationDays: 30,
    allowedCidrs: [],
    removalPolicy: 'snapshot',
    nagPacks: ['AwsSolutions', 'NIST80053R5'],
  },
  prod: {
    name: 'prod',
    region: DEFAULT_REGION,
    engineVersion: '17',
    instanceClass: 'db.m7g.large',
    multiAz: true,
    deletionProtection: true,
    allocatedStorage: 100,
    maxAllocatedStorage: 1000,
    storageType: 'gp3',
    backupRetentionDays: 14,
    minBackupRetentionDays: 14,
    port: 5432,
    rdsProxy: true,
    rotationDays: 30,
    allowedCidrs: [],
    removalPolicy: 'snapshot',
    nagPacks: ['AwsSolutions', 'NIST80053R5', 'PCIDSS321'],
  },
} as const satisfies Record<EnvironmentName, EnvironmentProfile>;

export function isEnvironmentName(value: string): value is EnvironmentName {
  return (ENVIRONMENT_NAMES as readonly string[]).includes(value);
}

/** The default profile of an environment; throws with the allowed names for anything else. */
export function getProfile(name: string): EnvironmentProfile {
  if (!isEnvironmentName(name)) {
    throw new Error(`environment: got '${name}', expected one of ${ENVIRONMENT_NAMES.join(', ')}`);
  }
  return profiles[name];
}

/** The stack name of an environment, as the seed's deploy commands use it. */
export function stackName(env: EnvironmentName): string {
  return `SpendSense-Database-${env}`;
}
