/**
 * Usage the templates cannot tell, as documented assumptions. Every figure is printed in the report beside the lines it
 * drives; `--usage FILE` overrides them for all environments or per environment:
 *
 * ```json
 * { "secretsManagerApiCallsPerMonth": 50000, "environments": { "prod": { "backupDailyChangePercent": 10 } } }
 * ```
 */
import { readFileSync } from 'node:fs';
import { ENVIRONMENT_NAMES, EnvironmentName } from '../profiles';

export interface UsageAssumptions {
  /**
   * Share of the allocated storage that changes per day, kept as incremental backups for each day of retention.
   * Backup storage up to the allocated storage is free, so billed backup GB-months are
   * `allocated × percent/100 × retention days`.
   */
  readonly backupDailyChangePercent: number;
  /** Secrets Manager API calls a month (GetSecretValue by clients, rotation). */
  readonly secretsManagerApiCallsPerMonth: number;
  /** KMS requests a month (data keys for storage and logs, secret decryption), before the account-wide free tier. */
  readonly kmsRequestsPerMonth: number;
  /**
   * Age of each customer-managed key in months (730 hours). A rotation happens every `RotationPeriodInDays`; each of the
   * first two adds one key-month, later ones are free, so a key rotated yearly costs $1 more from month 12 and $2 more
   * from month 24 on.
   */
  readonly kmsKeyAgeMonths: number;
  /** GB a month through the Secrets Manager interface endpoint. */
  readonly vpcEndpointGbPerMonth: number;
  /**
   * Average CPU use above a burstable (db.t3/db.t4g) instance's baseline, in percentage points of its vCPUs over the
   * month. RDS runs these classes in Unlimited mode: the surplus is billed as CPU credits per vCPU-hour.
   */
  readonly cpuAboveBaselinePercent: number;
  /** GB a month written to each CloudWatch Logs log group the stack creates (the database's log exports, say). */
  readonly logGroupGbPerMonth: number;
  /** GB a month of VPC flow log records delivered to CloudWatch Logs, per flow log. */
  readonly flowLogGbPerMonth: number;
  /** GB a month of Enhanced Monitoring records at a 60-second interval (scaled by the instance's interval). */
  readonly enhancedMonitoringGbPerMonth: number;
}

export const DEFAULT_USAGE: UsageAssumptions = {
  backupDailyChangePercent: 5,
  secretsManagerApiCallsPerMonth: 10_000,
  kmsRequestsPerMonth: 20_000,
  kmsKeyAgeMonths: 0,
  vpcEndpointGbPerMonth: 1,
  cpuAboveBaselinePercent: 0,
  logGroupGbPerMonth: 0.5,
  flowLogGbPerMonth: 1,
  enhancedMonitoringGbPerMonth: 0.5,
};

/** Log volumes grow with traffic: staging and prod start from larger figures than dev. */
export const ENVIRONMENT_USAGE: Readonly<Record<EnvironmentName, Partial<UsageAssumptions>>> = {
  dev: {},
  staging: { logGroupGbPerMonth: 1, flowLogGbPerMonth: 2 },
  prod: { logGroupGbPerMonth: 5, flowLogGbPerMonth: 10 },
};

/** What each assumption means, for the report. */
export const USAGE_DESCRIPTIONS: Readonly<Record<keyof UsageAssumptions, string>> = {
  backupDailyChangePercent:
    'share of the allocated storage changed per day and kept for each day of backup retention (backups up to the allocated storage are free)',
  secretsManagerApiCallsPerMonth: 'Secrets Manager API calls a month (clients reading the secrets, rotation)',
  kmsRequestsPerMonth: 'KMS requests a month (storage, log and secret encryption), before the account-wide free tier',
  kmsKeyAgeMonths:
    'age of each customer-managed key in months; the first two rotations each add $1/month, later ones are free (0 = a new key)',
  vpcEndpointGbPerMonth: 'GB a month processed by the Secrets Manager interface endpoint',
  cpuAboveBaselinePercent:
    'average CPU above the baseline of a burstable db.t3/db.t4g instance, in percentage points of its vCPUs (billed as CPU credits)',
  logGroupGbPerMonth: 'GB a month written to each log group the stack creates (database log exports)',
  flowLogGbPerMonth: 'GB a month of VPC flow log records delivered to CloudWatch Logs, per flow log',
  enhancedMonitoringGbPerMonth:
    'GB a month of Enhanced Monitoring records (RDSOSMetrics) at a 60-second interval, scaled by the interval',
};

export const USAGE_KEYS = Object.keys(DEFAULT_USAGE) as (keyof UsageAssumptions)[];
/** Counts; the other assumptions may be fractional. */
const WHOLE_KEYS: (keyof UsageAssumptions)[] = [
  'secretsManagerApiCallsPerMonth',
  'kmsRequestsPerMonth',
  'kmsKeyAgeMonths',
];

export interface UsageFile extends Partial<UsageAssumptions> {
  readonly environments?: Partial<Record<EnvironmentName, Partial<UsageAssumptions>>>;
}

/** Raised for a usage file that cannot be read or holds bad values; `problems` has one line each. */
export class UsageError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid usage assumptions: ${problems.join('; ')}`);
    this.name = 'UsageError';
  }
}

function checkValues(value: unknown, where: string, problems: string[]): Partial<UsageAssumptions> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${where}: expected an object`);
    return {};
  }
  const out: Partial<Record<keyof UsageAssumptions, number>> = {};
  for (const [k, v] of Object.entries(value)) {
    if (where === 'usage file' && k === 'environments') continue;
    if (!(USAGE_KEYS as string[]).includes(k)) {
      problems.push(`${where}: unknown key '${k}', expected one of ${USAGE_KEYS.join(', ')}`);
      continue;
    }
    const percent = k === 'backupDailyChangePercent' || k === 'cpuAboveBaselinePercent';
    const limit = percent ? 100 : Number.MAX_SAFE_INTEGER;
    const whole = (WHOLE_KEYS as string[]).includes(k);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > limit || (whole && !Number.isInteger(v))) {
      problems.push(
        `${where}: ${k} got ${JSON.stringify(v)}, expected ${whole ? 'a whole number' : 'a number'} from 0${limit < Number.MAX_SAFE_INTEGER ? ` to ${limit}` : ''}`,
      );
      continue;
    }
    out[k as keyof UsageAssumptions] = v;
  }
  return out;
}

/** Validates a parsed usage file; throws {@link UsageError} listing every problem. */
export function parseUsageFile(value: unknown): UsageFile {
  const problems: string[] = [];
  const base = checkValues(value, 'usage file', problems);
  const environments: Partial<Record<EnvironmentName, Partial<UsageAssumptions>>> = {};
  const envs = (value as { environments?: unknown } | null)?.environments;
  if (envs !== undefined) {
    if (typeof envs !== 'object' || envs === null || Array.isArray(envs)) {
      problems.push('usage file: environments must be an object keyed by dev, staging, prod');
    } else {
      for (const [name, v] of Object.entries(envs)) {
        if (!(ENVIRONMENT_NAMES as readonly string[]).includes(name)) {
          problems.push(`usage file: environments.${name} is not one of ${ENVIRONMENT_NAMES.join(', ')}`);
          continue;
        }
        environments[name as EnvironmentName] = checkValues(v, `usage file environments.${name}`, problems);
      }
    }
  }
  if (problems.length > 0) throw new UsageError(problems);
  return { ...base, environments };
}

export function readUsageFile(path: string): UsageFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError([`cannot read usage file ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError([`usage file ${path} is not JSON (${(err as Error).message})`]);
  }
  return parseUsageFile(value);
}

/**
 * The assumptions of one environment: the defaults, the environment's own defaults, then the file's top level, then
 * the file's entry for the environment.
 */
export function usageFor(env: EnvironmentName, file: UsageFile = {}): UsageAssumptions {
  const { environments, ...base } = file;
  return { ...DEFAULT_USAGE, ...ENVIRONMENT_USAGE[env], ...base, ...(environments?.[env] ?? {}) };
}
