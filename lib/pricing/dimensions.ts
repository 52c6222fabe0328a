/**
 * Price dimensions: what to ask the Price List for, one per distinct price, with the filters that pin exactly one SKU.
 *
 * Usage types are region-prefixed (`USW2-InstanceUsage:db.t4g.micro`, `EU-RDS:GP3-Storage`), except the RDS instance,
 * storage, IOPS and backup usage types of us-east-1, which have no prefix; RDS Proxy, Secrets Manager and VPC use
 * `USE1-` there, and KMS spells the region out (`us-east-1-KMS-Keys`). The Price List writes `xlarge` as `xl` in usage
 * types (`InstanceUsage:db.m7g.xl`) but not in `instanceType`. CloudWatch Logs ingestion and storage carry no prefix in
 * us-east-1 (`DataProcessing-Bytes`, `TimedStorage-ByteHrs`), vended logs do (`USE1-VendedLog-Bytes`).
 */
import type { StorageType } from '../profiles';
import type { TermFilter } from './price-list';

export type ServiceCode = 'AmazonRDS' | 'AWSSecretsManager' | 'awskms' | 'AmazonVPC' | 'AmazonCloudWatch';
export type DeploymentOption = 'Single-AZ' | 'Multi-AZ';

export interface PriceDimension {
  /** Stable identity: equal keys are one request, shared by every environment that needs the price. */
  readonly key: string;
  readonly serviceCode: ServiceCode;
  /** `TERM_MATCH` filters, `regionCode` first. */
  readonly filters: readonly TermFilter[];
  /** The usage type the dimension bills under, when this region's prefix is known. */
  readonly usageType?: string;
  /** The unit the price must be in; anything else makes the line unpriced. */
  readonly unit: string;
}

/** Billing prefixes of usage types by region (AWS Cost and Usage Report convention). */
export const USAGE_TYPE_PREFIXES: Readonly<Record<string, string>> = {
  'us-east-1': 'USE1',
  'us-east-2': 'USE2',
  'us-west-1': 'USW1',
  'us-west-2': 'USW2',
  'ca-central-1': 'CAN1',
  'sa-east-1': 'SAE1',
  'eu-west-1': 'EU',
  'eu-west-2': 'EUW2',
  'eu-west-3': 'EUW3',
  'eu-central-1': 'EUC1',
  'eu-central-2': 'EUC2',
  'eu-north-1': 'EUN1',
  'eu-south-1': 'EUS1',
  'ap-south-1': 'APS3',
  'ap-southeast-1': 'APS1',
  'ap-southeast-2': 'APS2',
  'ap-northeast-1': 'APN1',
  'ap-northeast-2': 'APN2',
  'ap-northeast-3': 'APN3',
  'ap-east-1': 'APE1',
  'me-south-1': 'MES1',
  'af-south-1': 'AFS1',
};

/** `USW2-` for us-west-2; undefined for a region whose prefix the kit does not know. */
function prefix(region: string): string | undefined {
  const p = USAGE_TYPE_PREFIXES[region];
  return p === undefined ? undefined : `${p}-`;
}

/** RDS instance/storage/IOPS/backup usage types carry no prefix in us-east-1. */
function rdsUsageType(region: string, suffix: string): string | undefined {
  if (region === 'us-east-1') return suffix;
  const p = prefix(region);
  return p === undefined ? undefined : `${p}${suffix}`;
}

function prefixed(region: string, suffix: string): string | undefined {
  const p = prefix(region);
  return p === undefined ? undefined : `${p}${suffix}`;
}

function dimension(
  serviceCode: ServiceCode,
  region: string,
  filters: readonly TermFilter[],
  unit: string,
  usageType: string | undefined,
  filterOnUsageType: boolean,
): PriceDimension {
  const all: TermFilter[] = [{ field: 'regionCode', value: region }, ...filters];
  if (filterOnUsageType && usageType !== undefined) all.push({ field: 'usagetype', value: usageType });
  const key = [serviceCode, ...all.map((f) => `${f.field}=${f.value}`), ...(usageType ? [`ut=${usageType}`] : [])].join(
    '|',
  );
  return { key, serviceCode, filters: all, usageType, unit };
}

const POSTGRES = { field: 'databaseEngine', value: 'PostgreSQL' } as const;
const deployment = (multiAz: boolean): DeploymentOption => (multiAz ? 'Multi-AZ' : 'Single-AZ');

/** `db.m7g.xlarge` → `db.m7g.xl`, as usage types write it. */
export function usageTypeClass(instanceClass: string): string {
  return instanceClass.replace(/\.xlarge$/, '.xl');
}

/** On-demand hours of an RDS for PostgreSQL instance (not Aurora, not readable standbys, no licence). */
export function instanceHours(region: string, instanceClass: string, multiAz: boolean): PriceDimension {
  const usage = rdsUsageType(region, `${multiAz ? 'Multi-AZUsage' : 'InstanceUsage'}:${usageTypeClass(instanceClass)}`);
  return dimension(
    'AmazonRDS',
    region,
    [
      { field: 'productFamily', value: 'Database Instance' },
      { field: 'locationType', value: 'AWS Region' },
      { field: 'instanceType', value: instanceClass },
      POSTGRES,
      { field: 'deploymentOption', value: deployment(multiAz) },
      { field: 'licenseModel', value: 'No license required' },
    ],
    'Hrs',
    usage,
    false,
  );
}

const VOLUME_TYPES: Record<StorageType, { volumeType: string; usage: string }> = {
  gp2: { volumeType: 'General Purpose', usage: 'GP2-Storage' },
  gp3: { volumeType: 'General Purpose-GP3', usage: 'GP3-Storage' },
  io1: { volumeType: 'Provisioned IOPS', usage: 'PIOPS-Storage' },
  io2: { volumeType: 'Provisioned IOPS-IO2', usage: 'IO2-Storage' },
};

/** Storage GB-months of one volume type; Multi-AZ storage is its own SKU. */
export function storage(region: string, storageType: StorageType, multiAz: boolean): PriceDimension {
  const v = VOLUME_TYPES[storageType];
  const usage = rdsUsageType(region, `RDS:${multiAz ? 'Multi-AZ-' : ''}${v.usage}`);
  return dimension(
    'AmazonRDS',
    region,
    [
      { field: 'productFamily', value: 'Database Storage' },
      { field: 'locationType', value: 'AWS Region' },
      { field: 'volumeType', value: v.volumeType },
      POSTGRES,
      { field: 'deploymentOption', value: deployment(multiAz) },
    ],
    'GB-Mo',
    usage,
    false,
  );
}

const IOPS_USAGE: Record<'gp3' | 'io1' | 'io2', string> = { gp3: 'GP3-PIOPS', io1: 'PIOPS', io2: 'IO2-PIOPS' };

/** Provisioned IOPS-months (io1/io2: all of them; gp3: above the included baseline). */
export function provisionedIops(region: string, storageType: 'gp3' | 'io1' | 'io2', multiAz: boolean): PriceDimension {
  const usage = rdsUsageType(region, `RDS:${multiAz ? 'Multi-AZ-' : ''}${IOPS_USAGE[storageType]}`);
  return dimension(
    'AmazonRDS',
    region,
    [
      { field: 'productFamily', value: 'Provisioned IOPS' },
      { field: 'deploymentOption', value: deployment(multiAz) },
    ],
    'IOPS-Mo',
    usage,
    true,
  );
}

/** gp3 throughput above the included baseline, MiBps-months. */
export function provisionedThroughput(region: string, multiAz: boolean): PriceDimension {
  const usage = rdsUsageType(region, `RDS:${multiAz ? 'Multi-AZ-' : ''}GP3-Throughput`);
  return dimension(
    'AmazonRDS',
    region,
    [{ field: 'deploymentOption', value: deployment(multiAz) }],
    'MiBps-Mo',
    usage,
    true,
  );
}

/** Backup storage beyond the free allowance, GB-months. */
export function backupStorage(region: string): PriceDimension {
  return dimension(
    'AmazonRDS',
    region,
    [{ field: 'productFamily', value: 'Storage Snapshot' }, POSTGRES],
    'GB-Mo',
    rdsUsageType(region, 'RDS:ChargedBackupUsage'),
    true,
  );
}

/** Performance Insights paid retention, per vCPU-month of the instance family (`USE1:PI_LTR:M7G`). */
export function performanceInsightsRetention(region: string, instanceFamily: string): PriceDimension {
  const p = USAGE_TYPE_PREFIXES[region];
  return dimension(
    'AmazonRDS',
    region,
    [{ field: 'productFamily', value: 'Performance Insights' }],
    'vCPU-Mo',
    p === undefined ? undefined : `${p}:PI_LTR:${instanceFamily.toUpperCase()}`,
    true,
  );
}

/**
 * CPU credits a burstable (T-class) instance spends above its baseline, per vCPU-hour. RDS runs db.t3 and db.t4g in
 * Unlimited mode, so surplus credits are billed rather than throttled (`CPUCredits:db.t4g`).
 */
export function cpuCredits(region: string, instanceFamily: string): PriceDimension {
  return dimension(
    'AmazonRDS',
    region,
    [POSTGRES],
    'vCPU-Hours',
    rdsUsageType(region, `CPUCredits:db.${instanceFamily}`),
    true,
  );
}

/** CloudWatch Logs ingestion of log data an application or service writes (Standard log class), per GB. */
export function logsIngestion(region: string): PriceDimension {
  const usage = region === 'us-east-1' ? 'DataProcessing-Bytes' : prefixed(region, 'DataProcessing-Bytes');
  return dimension('AmazonCloudWatch', region, [], 'GB', usage, true);
}

/** CloudWatch Logs ingestion of vended logs (VPC flow logs and other AWS-delivered logs), per GB, tiered. */
export function logsVendedIngestion(region: string): PriceDimension {
  return dimension('AmazonCloudWatch', region, [], 'GB', prefixed(region, 'VendedLog-Bytes'), true);
}

/** CloudWatch Logs storage of what log groups retain, per GB-month. */
export function logsStorage(region: string): PriceDimension {
  const usage = region === 'us-east-1' ? 'TimedStorage-ByteHrs' : prefixed(region, 'TimedStorage-ByteHrs');
  return dimension('AmazonCloudWatch', region, [], 'GB-Mo', usage, true);
}

/** RDS Proxy, per vCPU-hour of the target instance. */
export function proxyVcpuHours(region: string): PriceDimension {
  return dimension('AmazonRDS', region, [POSTGRES], 'Hrs', prefixed(region, 'RDS:ProxyUsage'), true);
}

export function secrets(region: string): PriceDimension {
  return dimension(
    'AWSSecretsManager',
    region,
    [{ field: 'productFamily', value: 'Secret' }],
    'Secrets',
    prefixed(region, 'AWSSecretsManager-Secrets'),
    true,
  );
}

export function secretsApiRequests(region: string): PriceDimension {
  return dimension(
    'AWSSecretsManager',
    region,
    [{ field: 'productFamily', value: 'API Request' }],
    'API Requests',
    prefixed(region, 'AWSSecretsManagerAPIRequest'),
    true,
  );
}

export function kmsKeys(region: string): PriceDimension {
  return dimension(
    'awskms',
    region,
    [{ field: 'productFamily', value: 'Encryption Key' }],
    'Keys',
    `${region}-KMS-Keys`,
    true,
  );
}

export function kmsRequests(region: string): PriceDimension {
  return dimension(
    'awskms',
    region,
    [{ field: 'productFamily', value: 'API Request' }],
    'Requests',
    `${region}-KMS-Requests`,
    true,
  );
}

export function vpcEndpointHours(region: string): PriceDimension {
  return dimension(
    'AmazonVPC',
    region,
    [{ field: 'productFamily', value: 'VpcEndpoint' }],
    'Hrs',
    prefixed(region, 'VpcEndpoint-Hours'),
    true,
  );
}

export function vpcEndpointData(region: string): PriceDimension {
  return dimension(
    'AmazonVPC',
    region,
    [{ field: 'productFamily', value: 'VpcEndpoint' }],
    'GB',
    prefixed(region, 'VpcEndpoint-Bytes'),
    true,
  );
}
