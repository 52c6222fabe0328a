/**
 * The monthly cost model of one environment: which price dimensions its rendered resources bill, in what quantity, and
 * the priced line items. 730 hours make a month, as AWS's own calculator counts.
 */
import { parseInstanceClass } from '../instance-classes';
import { Decimal, sum } from './decimal';
import * as dim from './dimensions';
import type { PriceDimension } from './dimensions';
import { tieredCost } from './price-list';
import type { Quote } from './quotes';
import type { StorageType } from '../profiles';
import type { BillableResources, DatabaseInstanceUsage, LogGroupUsage, Read } from './resources';
import { UsageAssumptions } from './usage';

export const HOURS_PER_MONTH = 730;
/** gp3 on RDS includes 3,000 IOPS and 125 MiBps below 400 GiB, 12,000 IOPS and 500 MiBps from 400 GiB. */
const GP3_BASELINE = { small: { iops: 3000, mibps: 125 }, large: { iops: 12000, mibps: 500 }, fromGb: 400 };
/** RDS Proxy bills the target's vCPUs, at least 2. */
const PROXY_MIN_VCPUS = 2;
const PI_FREE_RETENTION_DAYS = 7;
/** The first two rotations of key material each add a key-month; later ones are free. */
const KMS_BILLED_ROTATIONS = 2;
/** Burstable classes RDS runs in Unlimited mode, so that CPU above the baseline is billed as credits. */
const BURSTABLE_FAMILIES = new Set(['t3', 't4g']);

/**
 * Allowances AWS gives per account, not per stack: shown beside the estimate, never deducted from it, since other
 * workloads of the account use them too. Sources: lib/pricing/snapshot/SOURCES.md ("Free tiers").
 */
export const FREE_TIERS: Readonly<Record<'logs' | 'kms' | 'lambda', FreeTierNote>> = {
  logs: {
    service: 'CloudWatch Logs',
    allowance: 'the first 5 GB of log data ingested and 5 GB-months of log storage each month, per account',
  },
  kms: {
    service: 'AWS KMS',
    allowance: '20,000 requests a month, counted across all Regions of the account',
  },
  lambda: {
    service: 'AWS Lambda',
    allowance: '1,000,000 requests and 400,000 GB-seconds a month, per account (covers the rotation function)',
  },
};

/** vCPUs of an RDS instance size (the same for every family the kit accepts). */
const VCPUS_BY_SIZE: Readonly<Record<string, number>> = {
  micro: 2,
  small: 2,
  medium: 2,
  large: 2,
  xlarge: 4,
  '2xlarge': 8,
  '4xlarge': 16,
  '8xlarge': 32,
  '12xlarge': 48,
  '16xlarge': 64,
  '24xlarge': 96,
  '32xlarge': 128,
  '48xlarge': 192,
};

export function vcpusOf(instanceClass: string): number | undefined {
  const parsed = parseInstanceClass(instanceClass);
  return parsed ? VCPUS_BY_SIZE[parsed.size] : undefined;
}

export type LineCategory =
  | 'instance'
  | 'storage'
  | 'iops'
  | 'throughput'
  | 'backup'
  | 'performance-insights'
  | 'proxy'
  | 'secrets'
  | 'secrets-api'
  | 'kms-keys'
  | 'kms-requests'
  | 'vpc-endpoint'
  | 'cpu-credits'
  | 'logs'
  | 'lambda'
  | 'other';

/** What to price: a quantity of one dimension for one resource. */
export interface LineSpec {
  readonly category: LineCategory;
  readonly resource: string;
  readonly description: string;
  readonly quantity: Decimal;
  readonly dimension: PriceDimension;
}

/** A line the model cannot even ask a price for (a value known only at deploy, an engine the kit does not price). */
export interface UnaskableLine {
  readonly category: LineCategory;
  readonly resource: string;
  readonly description: string;
  readonly reason: string;
}

/** Something deliberately not billed, said in the report so that its absence is not mistaken for an omission. */
export interface FreeNote {
  readonly resource: string;
  readonly description: string;
}

/** A free tier that applies to the account as a whole: stated, not deducted. */
export interface FreeTierNote {
  readonly service: string;
  readonly allowance: string;
}

export interface CostModel {
  readonly lines: readonly LineSpec[];
  readonly unaskable: readonly UnaskableLine[];
  readonly free: readonly FreeNote[];
  readonly freeTiers: readonly FreeTierNote[];
}

export interface LineItem {
  readonly category: LineCategory;
  readonly resource: string;
  readonly description: string;
  readonly quantity: Decimal;
  readonly unit: string;
  /** The first tier's price; `tiered` says when more tiers exist. */
  readonly unitPriceUsd: Decimal;
  readonly tiered: boolean;
  /** Exact, rounded to micro-dollars. */
  readonly monthlyUsd: Decimal;
  readonly sku: string | null;
  readonly usageType: string | null;
  readonly source: { readonly kind: 'live' } | { readonly kind: 'snapshot'; readonly checked: string };
  readonly fallbackReason?: string;
}

export interface UnpricedLine {
  readonly category: LineCategory;
  readonly resource: string;
  readonly description: string;
  readonly quantity: Decimal | null;
  readonly unit: string | null;
  readonly usageType: string | null;
  readonly reason: string;
}

const MICRO = 6;

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

type Out = { lines: LineSpec[]; unaskable: UnaskableLine[]; free: FreeNote[]; freeTiers: Set<keyof typeof FREE_TIERS> };

/** The first value that cannot be read, if any. */
function firstUnknown(...reads: Read<unknown>[]): string | undefined {
  for (const r of reads) if (!r.ok) return r.why;
  return undefined;
}

function instanceLines(db: DatabaseInstanceUsage, region: string, usage: UsageAssumptions, out: Out): void {
  const resource = `RDS instance ${db.name}`;
  const unknown = (category: LineCategory, description: string, why: string) =>
    out.unaskable.push({ category, resource, description, reason: why });
  if (db.engine.ok && db.engine.value !== 'postgres') {
    unknown('instance', 'instance hours', `engine ${db.engine.value}; the kit prices RDS for PostgreSQL only`);
    return;
  }
  const { instanceClass, multiAz, allocatedStorageGb, storageType, backupRetentionDays, performanceInsights } = db;

  if (instanceClass.ok && multiAz.ok) {
    out.lines.push({
      category: 'instance',
      resource,
      description: `${instanceClass.value} ${multiAz.value ? 'Multi-AZ' : 'Single-AZ'}, ${HOURS_PER_MONTH} hours a month`,
      quantity: Decimal.of(HOURS_PER_MONTH),
      dimension: dim.instanceHours(region, instanceClass.value, multiAz.value),
    });
  } else {
    unknown('instance', 'instance hours', firstUnknown(instanceClass, multiAz)!);
  }

  if (multiAz.ok && allocatedStorageGb.ok && storageType.ok) {
    storageLines(resource, region, multiAz.value, allocatedStorageGb.value, storageType.value, db, out);
  } else {
    unknown('storage', 'storage', firstUnknown(multiAz, allocatedStorageGb, storageType)!);
  }

  if (allocatedStorageGb.ok && backupRetentionDays.ok) {
    const days = backupRetentionDays.value;
    if (days === 0) {
      out.free.push({ resource, description: 'automated backups off (retention 0 days): no backup storage' });
    } else {
      // Backup storage up to the allocated storage is free; the rest is the daily change kept for each retained day.
      const gb = Decimal.of(allocatedStorageGb.value)
        .times(Decimal.of(usage.backupDailyChangePercent))
        .times(Decimal.of(days))
        .times(Decimal.parse('0.01'));
      out.lines.push({
        category: 'backup',
        resource,
        description: `backup storage beyond the free ${fmt(allocatedStorageGb.value)} GB: ${usage.backupDailyChangePercent}% daily change × ${days} day${days === 1 ? '' : 's'} retained (assumption)`,
        quantity: gb,
        dimension: dim.backupStorage(region),
      });
    }
  } else {
    unknown('backup', 'backup storage', firstUnknown(allocatedStorageGb, backupRetentionDays)!);
  }

  if (performanceInsights.ok && instanceClass.ok) {
    performanceInsightsLine(resource, region, instanceClass.value, performanceInsights.value, out);
  } else {
    unknown('performance-insights', 'Performance Insights', firstUnknown(performanceInsights, instanceClass)!);
  }

  if (instanceClass.ok) {
    cpuCreditLine(resource, region, instanceClass.value, usage, out);
  } else {
    unknown('cpu-credits', 'CPU credits', instanceClass.why);
  }

  if (db.monitoringIntervalSeconds.ok) {
    enhancedMonitoringLines(resource, region, db.monitoringIntervalSeconds.value, usage, out);
  } else {
    unknown('logs', 'Enhanced Monitoring log ingestion', db.monitoringIntervalSeconds.why);
  }
}

/** CPU credits of a burstable class above its baseline: `points/100 × vCPUs × 730` vCPU-hours. */
function cpuCreditLine(
  resource: string,
  region: string,
  instanceClass: string,
  usage: UsageAssumptions,
  out: Out,
): void {
  const family = parseInstanceClass(instanceClass)?.family;
  if (family === undefined || !BURSTABLE_FAMILIES.has(family)) return;
  const vcpus = vcpusOf(instanceClass);
  if (vcpus === undefined) {
    out.unaskable.push({
      category: 'cpu-credits',
      resource,
      description: 'CPU credits above the baseline',
      reason: `vCPUs of ${instanceClass} unknown`,
    });
    return;
  }
  const points = usage.cpuAboveBaselinePercent;
  const perTenPoints = Decimal.of(vcpus * HOURS_PER_MONTH).times(Decimal.parse('0.1'));
  out.lines.push({
    category: 'cpu-credits',
    resource,
    description: `CPU credits (Unlimited mode): ${fmt(points)} percentage points above the baseline on ${vcpus} vCPUs × ${HOURS_PER_MONTH} hours (assumption; every 10 points sustained add ${perTenPoints.toString()} vCPU-hours)`,
    quantity: Decimal.of(vcpus * HOURS_PER_MONTH)
      .times(Decimal.parse(String(points)))
      .times(Decimal.parse('0.01')),
    dimension: dim.cpuCredits(region, family),
  });
}

/** Enhanced Monitoring writes OS metrics into the RDSOSMetrics log group, which RDS creates outside the template. */
function enhancedMonitoringLines(
  resource: string,
  region: string,
  intervalSeconds: number,
  usage: UsageAssumptions,
  out: Out,
): void {
  if (intervalSeconds <= 0) {
    out.free.push({ resource, description: 'Enhanced Monitoring off: no RDSOSMetrics log data' });
    return;
  }
  const gb = Decimal.parse(String(usage.enhancedMonitoringGbPerMonth))
    .times(Decimal.of(60))
    .dividedBy(Decimal.of(intervalSeconds), 6);
  out.lines.push({
    category: 'logs',
    resource,
    description: `Enhanced Monitoring every ${intervalSeconds} s into RDSOSMetrics: ${gb.toString()} GB ingested a month (assumption: ${usage.enhancedMonitoringGbPerMonth} GB at 60 s)`,
    quantity: gb,
    dimension: dim.logsIngestion(region),
  });
  out.unaskable.push({
    category: 'logs',
    resource,
    description: 'Enhanced Monitoring storage in RDSOSMetrics',
    reason: 'RDS creates the RDSOSMetrics log group itself; its retention is set outside the template',
  });
  out.freeTiers.add('logs');
}

/** Ingestion (unless a flow log delivers it as vended logs) and steady-state storage of one log group. */
function logGroupLines(group: LogGroupUsage, region: string, usage: UsageAssumptions, out: Out): void {
  const resource = `Log group ${group.name}`;
  out.freeTiers.add('logs');
  const monthly = group.fedByFlowLog !== undefined ? usage.flowLogGbPerMonth : usage.logGroupGbPerMonth;
  if (group.fedByFlowLog === undefined) {
    out.lines.push({
      category: 'logs',
      resource,
      description: `${fmt(monthly)} GB ingested a month (assumption)`,
      quantity: Decimal.parse(String(monthly)),
      dimension: dim.logsIngestion(region),
    });
  }
  const retention = group.retentionDays;
  if (!retention.ok) {
    out.unaskable.push({ category: 'logs', resource, description: 'log storage', reason: retention.why });
    return;
  }
  if (retention.value === undefined) {
    out.unaskable.push({
      category: 'logs',
      resource,
      description: 'log storage',
      reason: `retention never expires: what is stored grows by ${fmt(monthly)} GB every month without bound`,
    });
    return;
  }
  const days = retention.value;
  const stored = Decimal.parse(String(monthly))
    .times(Decimal.of(days * 24))
    .dividedBy(Decimal.of(HOURS_PER_MONTH), 6);
  out.lines.push({
    category: 'logs',
    resource,
    description: `storage of ${days} days of logs once retention is full: ${stored.toString()} GB-months (${fmt(monthly)} GB a month${group.fedByFlowLog ? ' from the flow log' : ''}, counted as ingested)`,
    quantity: stored,
    dimension: dim.logsStorage(region),
  });
}

function storageLines(
  resource: string,
  region: string,
  multiAz: boolean,
  gb: number,
  storageType: StorageType,
  db: DatabaseInstanceUsage,
  out: Out,
): void {
  const az = multiAz ? 'Multi-AZ' : 'Single-AZ';
  out.lines.push({
    category: 'storage',
    resource,
    description: `${storageType} storage, ${az}, ${fmt(gb)} GB allocated (autoscaled growth is billed as it happens)`,
    quantity: Decimal.of(gb),
    dimension: dim.storage(region, storageType, multiAz),
  });
  if (!db.iops.ok) {
    out.unaskable.push({ category: 'iops', resource, description: 'provisioned IOPS', reason: db.iops.why });
    return;
  }
  const iops = db.iops.value;
  if (storageType === 'io1' || storageType === 'io2') {
    if (iops !== undefined) {
      out.lines.push({
        category: 'iops',
        resource,
        description: `${fmt(iops)} provisioned IOPS (${storageType}, ${az})`,
        quantity: Decimal.of(iops),
        dimension: dim.provisionedIops(region, storageType, multiAz),
      });
    }
    return;
  }
  if (storageType !== 'gp3') return;
  const baseline = gp3Baseline(gb);
  if (iops !== undefined && iops > baseline.iops) {
    out.lines.push({
      category: 'iops',
      resource,
      description: `gp3 IOPS above the ${fmt(baseline.iops)} included (${fmt(iops)} provisioned, ${az})`,
      quantity: Decimal.of(iops - baseline.iops),
      dimension: dim.provisionedIops(region, 'gp3', multiAz),
    });
  }
  const throughput = db.storageThroughputMibps;
  if (!throughput.ok) {
    out.unaskable.push({ category: 'throughput', resource, description: 'gp3 throughput', reason: throughput.why });
  } else if (throughput.value !== undefined && throughput.value > baseline.mibps) {
    out.lines.push({
      category: 'throughput',
      resource,
      description: `gp3 throughput above the ${baseline.mibps} MiBps included (${throughput.value} MiBps provisioned, ${az})`,
      quantity: Decimal.of(throughput.value - baseline.mibps),
      dimension: dim.provisionedThroughput(region, multiAz),
    });
  }
  const iopsIncluded = iops === undefined || iops <= baseline.iops;
  const throughputIncluded = throughput.ok && (throughput.value === undefined || throughput.value <= baseline.mibps);
  if (iopsIncluded && throughputIncluded) {
    out.free.push({
      resource,
      description: `gp3 IOPS and throughput within the included baseline (${fmt(baseline.iops)} IOPS, ${baseline.mibps} MiBps at ${fmt(gb)} GB)`,
    });
  }
}

function performanceInsightsLine(
  resource: string,
  region: string,
  instanceClass: string,
  pi: { readonly enabled: boolean; readonly retentionDays: number },
  out: Out,
): void {
  if (!pi.enabled) {
    out.free.push({ resource, description: `Performance Insights off on ${instanceClass}: no charge` });
    return;
  }
  if (pi.retentionDays <= PI_FREE_RETENTION_DAYS) {
    out.free.push({
      resource,
      description: `Performance Insights with ${pi.retentionDays}-day retention: within the free tier (${PI_FREE_RETENTION_DAYS} days), no charge`,
    });
    return;
  }
  const vcpus = vcpusOf(instanceClass);
  const family = parseInstanceClass(instanceClass)?.family;
  if (vcpus === undefined || family === undefined) {
    out.unaskable.push({
      category: 'performance-insights',
      resource,
      description: 'Performance Insights paid retention',
      reason: `vCPUs of ${instanceClass} unknown`,
    });
    return;
  }
  out.lines.push({
    category: 'performance-insights',
    resource,
    description: `Performance Insights ${pi.retentionDays}-day retention, ${vcpus} vCPUs of ${instanceClass}`,
    quantity: Decimal.of(vcpus),
    dimension: dim.performanceInsightsRetention(region, family),
  });
}

function gp3Baseline(gb: number): { iops: number; mibps: number } {
  return gb >= GP3_BASELINE.fromGb ? GP3_BASELINE.large : GP3_BASELINE.small;
}

/** The lines one environment's resources bill, with usage assumptions applied. */
export function costModel(resources: BillableResources, region: string, usage: UsageAssumptions): CostModel {
  const out: Out = { lines: [], unaskable: [], free: [], freeTiers: new Set() };
  for (const db of resources.databases) instanceLines(db, region, usage, out);

  for (const proxy of resources.proxies) {
    const resource = `RDS Proxy ${proxy.name}`;
    const target = resources.databases[0]?.instanceClass;
    const vcpus = target?.ok ? vcpusOf(target.value) : undefined;
    if (!target?.ok || vcpus === undefined) {
      out.unaskable.push({
        category: 'proxy',
        resource,
        description: 'proxy vCPU-hours',
        reason: target && !target.ok ? target.why : 'the vCPUs of the target instance are unknown',
      });
      continue;
    }
    const billed = Math.max(vcpus, PROXY_MIN_VCPUS);
    out.lines.push({
      category: 'proxy',
      resource,
      description: `${billed} vCPUs of ${target.value} (minimum ${PROXY_MIN_VCPUS}) × ${HOURS_PER_MONTH} hours`,
      quantity: Decimal.of(billed * HOURS_PER_MONTH),
      dimension: dim.proxyVcpuHours(region),
    });
  }

  if (resources.secrets.length > 0) {
    const n = resources.secrets.length;
    out.lines.push({
      category: 'secrets',
      resource: 'Secrets Manager',
      description: `${n} secret${n === 1 ? '' : 's'}: ${resources.secrets.join(', ')}`,
      quantity: Decimal.of(n),
      dimension: dim.secrets(region),
    });
    out.lines.push({
      category: 'secrets-api',
      resource: 'Secrets Manager',
      description: `${fmt(usage.secretsManagerApiCallsPerMonth)} API calls a month (assumption)`,
      quantity: Decimal.of(usage.secretsManagerApiCallsPerMonth),
      dimension: dim.secretsApiRequests(region),
    });
  }

  for (const key of resources.keys) {
    const resource = `KMS key ${key.logicalId}`;
    out.lines.push({
      category: 'kms-keys',
      resource,
      description: 'customer-managed key',
      quantity: Decimal.of(1),
      dimension: dim.kmsKeys(region),
    });
    if (!key.rotation.ok) {
      out.unaskable.push({
        category: 'kms-keys',
        resource,
        description: 'rotated key material',
        reason: key.rotation.why,
      });
    } else if (key.rotation.value) {
      kmsRotationLine(resource, region, key.rotationPeriodDays, usage.kmsKeyAgeMonths, out);
    }
  }
  if (resources.keys.length > 0) {
    out.freeTiers.add('kms');
    out.lines.push({
      category: 'kms-requests',
      resource: 'KMS',
      description: `${fmt(usage.kmsRequestsPerMonth)} requests a month (assumption)`,
      quantity: Decimal.of(usage.kmsRequestsPerMonth),
      dimension: dim.kmsRequests(region),
    });
  }

  for (const ep of resources.endpoints) {
    out.lines.push({
      category: 'vpc-endpoint',
      resource: `VPC endpoint ${ep.service}`,
      description: `interface endpoint in ${ep.subnets} AZ${ep.subnets === 1 ? '' : 's'} × ${HOURS_PER_MONTH} hours`,
      quantity: Decimal.of(ep.subnets * HOURS_PER_MONTH),
      dimension: dim.vpcEndpointHours(region),
    });
  }
  if (resources.endpoints.length > 0) {
    out.lines.push({
      category: 'vpc-endpoint',
      resource: 'VPC endpoints',
      description: `${usage.vpcEndpointGbPerMonth} GB a month processed (assumption)`,
      quantity: Decimal.of(usage.vpcEndpointGbPerMonth),
      dimension: dim.vpcEndpointData(region),
    });
  }

  for (const flowLog of resources.flowLogs) {
    const resource = `Flow log ${flowLog.logicalId}`;
    if (!flowLog.destinationType.ok) {
      out.unaskable.push({
        category: 'logs',
        resource,
        description: 'flow log delivery',
        reason: flowLog.destinationType.why,
      });
    } else if (flowLog.destinationType.value !== 'cloud-watch-logs') {
      out.unaskable.push({
        category: 'logs',
        resource,
        description: `flow log delivery to ${flowLog.destinationType.value}`,
        reason: `the cost model prices delivery to CloudWatch Logs only, not to ${flowLog.destinationType.value}`,
      });
    } else {
      out.lines.push({
        category: 'logs',
        resource,
        description: `${fmt(usage.flowLogGbPerMonth)} GB of flow log records a month delivered to CloudWatch Logs as vended logs (assumption)`,
        quantity: Decimal.parse(String(usage.flowLogGbPerMonth)),
        dimension: dim.logsVendedIngestion(region),
      });
    }
  }
  for (const group of resources.logGroups) logGroupLines(group, region, usage, out);
  if (resources.rotationSchedules > 0) out.freeTiers.add('lambda');

  const order: (keyof typeof FREE_TIERS)[] = ['logs', 'kms', 'lambda'];
  return {
    lines: out.lines,
    unaskable: out.unaskable,
    free: out.free,
    freeTiers: order.filter((k) => out.freeTiers.has(k)).map((k) => FREE_TIERS[k]),
  };
}

/**
 * Each of the first two rotations adds a key-month from the day it happens; a key of `ageMonths` has been rotated
 * `floor(age in days / period)` times.
 */
function kmsRotationLine(resource: string, region: string, periodDays: number, ageMonths: number, out: Out): void {
  // In hours, which are whole numbers: a month is 730 of them, a rotation period 24 × its days.
  const rotations = Math.floor((ageMonths * HOURS_PER_MONTH) / (periodDays * 24));
  const billed = Math.min(rotations, KMS_BILLED_ROTATIONS);
  const schedule = [1, 2].map((n) => `+$${n}/month from month ${Math.ceil((n * periodDays * 24) / HOURS_PER_MONTH)}`);
  const when = `rotated every ${periodDays} days; ${schedule.join(', ')}, later rotations free`;
  if (billed === 0) {
    out.free.push({
      resource,
      description: `key rotation on, not rotated yet at ${ageMonths} months of age (assumption): no extra charge yet (${when})`,
    });
    return;
  }
  out.lines.push({
    category: 'kms-keys',
    resource,
    description: `rotated key material: ${billed} billed rotation${billed === 1 ? '' : 's'} at ${ageMonths} months of age (assumption; ${when})`,
    quantity: Decimal.of(billed),
    dimension: dim.kmsKeys(region),
  });
}

/** Prices each line with its dimension's quote. */
export function priceLines(
  model: CostModel,
  quotes: ReadonlyMap<string, Quote>,
): { readonly items: LineItem[]; readonly unpriced: UnpricedLine[] } {
  const items: LineItem[] = [];
  const unpriced: UnpricedLine[] = model.unaskable.map((u) => ({
    category: u.category,
    resource: u.resource,
    description: u.description,
    quantity: null,
    unit: null,
    usageType: null,
    reason: u.reason,
  }));
  for (const line of model.lines) {
    const quote = quotes.get(line.dimension.key);
    if (!quote || !quote.ok) {
      unpriced.push({
        category: line.category,
        resource: line.resource,
        description: line.description,
        quantity: line.quantity,
        unit: line.dimension.unit,
        usageType: line.dimension.usageType ?? null,
        reason: quote ? quote.reason : 'no quote was requested for this dimension',
      });
      continue;
    }
    const { price } = quote;
    const last = price.tiers[price.tiers.length - 1];
    if (last.end !== undefined && line.quantity.compare(last.end) > 0) {
      unpriced.push({
        category: line.category,
        resource: line.resource,
        description: line.description,
        quantity: line.quantity,
        unit: line.dimension.unit,
        usageType: price.usageType,
        reason: `the price's tiers end at ${last.end.toString()} ${price.unit}; no price beyond`,
      });
      continue;
    }
    items.push({
      category: line.category,
      resource: line.resource,
      description: line.description,
      quantity: line.quantity,
      unit: price.unit,
      unitPriceUsd: price.tiers[0].usd,
      tiered: price.tiers.length > 1,
      monthlyUsd: tieredCost(line.quantity, price.tiers).round(MICRO),
      sku: price.sku,
      usageType: price.usageType,
      source: quote.source === 'live' ? { kind: 'live' } : { kind: 'snapshot', checked: quote.checked },
      fallbackReason: quote.source === 'snapshot' ? quote.fallbackReason : undefined,
    });
  }
  return { items, unpriced };
}

export function totalOf(items: readonly LineItem[]): Decimal {
  return sum(items.map((i) => i.monthlyUsd));
}
