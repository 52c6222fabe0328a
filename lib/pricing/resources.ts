/**
 * What a rendered template bills for: read from the template CloudFormation will receive (after every override), not
 * from the profile, so an escape hatch that changes a property changes the estimate too.
 */
import {
  CfnTemplate,
  booleanOf,
  numberOf,
  referencedResource,
  resourcesOfType,
  stringOf,
} from '../../aspects/template';
import { STORAGE_TYPES, StorageType } from '../profiles';

/** A value read from the template, or why it cannot be known before deploy. */
export type Read<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly why: string };

export interface DatabaseInstanceUsage {
  readonly logicalId: string;
  /** `DBInstanceIdentifier`, else the logical id. */
  readonly name: string;
  readonly engine: Read<string>;
  readonly instanceClass: Read<string>;
  readonly multiAz: Read<boolean>;
  readonly allocatedStorageGb: Read<number>;
  readonly storageType: Read<StorageType>;
  readonly iops: Read<number | undefined>;
  readonly storageThroughputMibps: Read<number | undefined>;
  readonly backupRetentionDays: Read<number>;
  readonly performanceInsights: Read<{ readonly enabled: boolean; readonly retentionDays: number }>;
  /** Seconds between Enhanced Monitoring samples; 0 is off. */
  readonly monitoringIntervalSeconds: Read<number>;
}

export interface LogGroupUsage {
  readonly logicalId: string;
  /** `LogGroupName`, else the logical id. */
  readonly name: string;
  /** Days kept; undefined is "never expire". */
  readonly retentionDays: Read<number | undefined>;
  /** The flow log that delivers into it, when one does: its ingestion is billed as vended logs on the flow log. */
  readonly fedByFlowLog?: string;
}

export interface FlowLogUsage {
  readonly logicalId: string;
  /** `cloud-watch-logs` (the default), `s3` or `kinesis-data-firehose`. */
  readonly destinationType: Read<string>;
}

export interface KmsKeyUsage {
  readonly logicalId: string;
  readonly rotation: Read<boolean>;
  readonly rotationPeriodDays: number;
}

export interface InterfaceEndpointUsage {
  readonly logicalId: string;
  readonly service: string;
  /** One endpoint network interface per subnet (AZ). */
  readonly subnets: number;
}

export interface ProxyUsage {
  readonly logicalId: string;
  readonly name: string;
}

export interface BillableResources {
  readonly databases: readonly DatabaseInstanceUsage[];
  readonly proxies: readonly ProxyUsage[];
  readonly secrets: readonly string[];
  readonly keys: readonly KmsKeyUsage[];
  readonly endpoints: readonly InterfaceEndpointUsage[];
  readonly logGroups: readonly LogGroupUsage[];
  readonly flowLogs: readonly FlowLogUsage[];
  /** Secrets Manager rotation schedules: each runs a rotation Lambda function. */
  readonly rotationSchedules: number;
}

function read<T>(known: { known: true; value: T | undefined } | { known: false; why: string }, what: string): Read<T> {
  if (!known.known) return { ok: false, why: `${what} is ${known.why}, known only at deploy` };
  if (known.value === undefined) return { ok: false, why: `${what} is not set` };
  return { ok: true, value: known.value };
}

function storageTypeOf(p: Record<string, unknown>, template: CfnTemplate): Read<StorageType> {
  const s = stringOf(p.StorageType, template);
  if (!s.known) return { ok: false, why: `StorageType is ${s.why}, known only at deploy` };
  // CloudFormation's default: io1 when Iops is set, else gp2.
  const value = s.value ?? (p.Iops !== undefined ? 'io1' : 'gp2');
  return (STORAGE_TYPES as readonly string[]).includes(value)
    ? { ok: true, value: value as StorageType }
    : { ok: false, why: `StorageType ${value} is not one the kit prices (${STORAGE_TYPES.join(', ')})` };
}

function optionalNumber(value: unknown, template: CfnTemplate, what: string): Read<number | undefined> {
  const n = numberOf(value, template);
  return n.known ? { ok: true, value: n.value } : { ok: false, why: `${what} is ${n.why}, known only at deploy` };
}

function database(id: string, p: Record<string, unknown>, template: CfnTemplate): DatabaseInstanceUsage {
  const name = stringOf(p.DBInstanceIdentifier, template);
  const pi = booleanOf(p.EnablePerformanceInsights, template, false);
  const piDays = numberOf(p.PerformanceInsightsRetentionPeriod, template, 7);
  return {
    logicalId: id,
    name: name.known && name.value ? name.value : id,
    engine: read(stringOf(p.Engine, template), 'Engine'),
    instanceClass: read(stringOf(p.DBInstanceClass, template), 'DBInstanceClass'),
    multiAz: read(booleanOf(p.MultiAZ, template, false), 'MultiAZ'),
    allocatedStorageGb: read(numberOf(p.AllocatedStorage, template), 'AllocatedStorage'),
    storageType: storageTypeOf(p, template),
    iops: optionalNumber(p.Iops, template, 'Iops'),
    storageThroughputMibps: optionalNumber(p.StorageThroughput, template, 'StorageThroughput'),
    backupRetentionDays: read(numberOf(p.BackupRetentionPeriod, template, 1), 'BackupRetentionPeriod'),
    performanceInsights:
      pi.known && piDays.known
        ? { ok: true, value: { enabled: pi.value === true, retentionDays: piDays.value ?? 7 } }
        : {
            ok: false,
            why: `Performance Insights settings are ${pi.known ? '' : pi.why}${piDays.known ? '' : piDays.why}`,
          },
    monitoringIntervalSeconds: read(numberOf(p.MonitoringInterval, template, 0), 'MonitoringInterval'),
  };
}

/** The log group a CloudWatch Logs flow log delivers into: `LogGroupName: {Ref}` or `LogDestination: {Fn::GetAtt: Arn}`. */
function flowLogTarget(p: Record<string, unknown>, template: CfnTemplate): string | undefined {
  const id = referencedResource(p.LogGroupName, template) ?? referencedResource(p.LogDestination, template);
  if (id !== undefined) return id;
  const name = stringOf(p.LogGroupName, template);
  if (!name.known || name.value === undefined) return undefined;
  return resourcesOfType(template, 'AWS::Logs::LogGroup').find(([, g]) => g.LogGroupName === name.value)?.[0];
}

function logGroups(template: CfnTemplate): LogGroupUsage[] {
  const feeders = new Map<string, string>();
  for (const [id, p] of resourcesOfType(template, 'AWS::EC2::FlowLog')) {
    const target = flowLogTarget(p, template);
    if (target !== undefined && !feeders.has(target)) feeders.set(target, id);
  }
  return resourcesOfType(template, 'AWS::Logs::LogGroup').map(([id, p]) => {
    const name = stringOf(p.LogGroupName, template);
    const days = numberOf(p.RetentionInDays, template);
    return {
      logicalId: id,
      name: name.known && name.value ? name.value : id,
      retentionDays: days.known
        ? { ok: true, value: days.value }
        : { ok: false, why: `RetentionInDays is ${days.why}, known only at deploy` },
      fedByFlowLog: feeders.get(id),
    };
  });
}

/** Everything in `template` the cost estimate prices, in logical-id order. */
export function billableResources(template: CfnTemplate): BillableResources {
  return {
    logGroups: logGroups(template),
    rotationSchedules: resourcesOfType(template, 'AWS::SecretsManager::RotationSchedule').length,
    flowLogs: resourcesOfType(template, 'AWS::EC2::FlowLog').map(([id, p]) => {
      const type = stringOf(p.LogDestinationType, template);
      return {
        logicalId: id,
        destinationType: type.known
          ? { ok: true, value: type.value ?? 'cloud-watch-logs' }
          : { ok: false, why: `LogDestinationType is ${type.why}, known only at deploy` },
      };
    }),
    databases: resourcesOfType(template, 'AWS::RDS::DBInstance').map(([id, p]) => database(id, p, template)),
    proxies: resourcesOfType(template, 'AWS::RDS::DBProxy').map(([id, p]) => {
      const name = stringOf(p.DBProxyName, template);
      return { logicalId: id, name: name.known && name.value ? name.value : id };
    }),
    secrets: resourcesOfType(template, 'AWS::SecretsManager::Secret').map(([id, p]) => {
      const name = stringOf(p.Name, template);
      return name.known && name.value ? name.value : id;
    }),
    keys: resourcesOfType(template, 'AWS::KMS::Key').map(([id, p]) => {
      const period = numberOf(p.RotationPeriodInDays, template, 365);
      return {
        logicalId: id,
        rotation: read(booleanOf(p.EnableKeyRotation, template, false), 'EnableKeyRotation'),
        rotationPeriodDays: period.known ? (period.value ?? 365) : 365,
      };
    }),
    endpoints: resourcesOfType(template, 'AWS::EC2::VPCEndpoint')
      .filter(([, p]) => p.VpcEndpointType === 'Interface')
      .map(([id, p]) => ({
        logicalId: id,
        service: serviceName(p.ServiceName),
        subnets: Array.isArray(p.SubnetIds) ? p.SubnetIds.length : 0,
      })),
  };
}

/** `com.amazonaws.<region>.secretsmanager` → `secretsmanager`, also when the region is `{Ref: AWS::Region}`. */
function serviceName(value: unknown): string {
  if (typeof value === 'string') return value.split('.').pop() ?? value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] } | null)?.['Fn::Join'];
  const last = Array.isArray(join?.[1]) ? join[1][join[1].length - 1] : undefined;
  return typeof last === 'string' ? last.replace(/^\./, '') : 'unknown';
}
