/**
 * Command-line overrides (`-c key=value`) parsed and validated once, at the top of the app.
 *
 * Every problem of the input is collected and reported together, one line each: the key, the value received and what
 * is allowed. Nothing is synthesized when there is any problem.
 */
import { isIPv4, isIPv6 } from 'node:net';
import * as rds from 'aws-cdk-lib/aws-rds';
import {
  ENVIRONMENT_NAMES,
  EnvironmentName,
  EnvironmentProfile,
  NAG_PACKS,
  NagPackName,
  REMOVAL_POLICIES,
  STORAGE_TYPES,
  isEnvironmentName,
  profiles,
} from './profiles';
import { COMPLIANCE_DATE_CONTEXT } from '../aspects/compliance';
import { unknownContextKeys } from './context-keys';
import { parseInstanceClass } from './instance-classes';

/** Raised when the command-line overrides are invalid; `problems` holds one actionable line per bad value. */
export class ConfigError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Context keys that override a profile field, in the order they are documented. */
export const OVERRIDE_KEYS = [
  'region',
  'account',
  'instanceClass',
  'multiAz',
  'deletionProtection',
  'allocatedStorage',
  'maxAllocatedStorage',
  'storageType',
  'iops',
  'backupRetentionDays',
  'engineVersion',
  'port',
  'rdsProxy',
  'rotationDays',
  'allowedCidrs',
  'removalPolicy',
  'nagPacks',
  'vpcId',
] as const;
export type OverrideKey = (typeof OVERRIDE_KEYS)[number];

/** Every context key the kit's configuration reads. */
export const CONTEXT_KEYS = ['environment', ...OVERRIDE_KEYS] as const;

/** Every context key the kit's app accepts: its configuration and the compliance gate's date. */
export const KNOWN_CONTEXT_KEYS: readonly string[] = [...CONTEXT_KEYS, COMPLIANCE_DATE_CONTEXT];

export interface KitConfig {
  /** The profiles to synthesize, overrides applied, in dev, staging, prod order. */
  readonly environments: readonly EnvironmentProfile[];
}

type Overrides = { -readonly [K in keyof EnvironmentProfile]?: EnvironmentProfile[K] };

/** PostgreSQL versions aws-cdk-lib knows, 16 and newer: majors (`17`) and full versions (`17.6`). */
export const SUPPORTED_ENGINE_VERSIONS: readonly string[] = Object.getOwnPropertyNames(rds.PostgresEngineVersion)
  .filter((k) => k.startsWith('VER_'))
  .map((k) => (rds.PostgresEngineVersion as unknown as Record<string, rds.PostgresEngineVersion>)[k])
  .filter((v) => v instanceof rds.PostgresEngineVersion && Number(v.postgresMajorVersion) >= 16)
  .map((v) => v.postgresFullVersion)
  .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
const ACCOUNT_PATTERN = /^\d{12}$/;
const VPC_ID_PATTERN = /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** Reads one context value as the CLI gives it (a string) or as cdk.json may (a boolean, number or list). */
type Raw = unknown;

/** A context value as text: CLI values are strings already; cdk.json may hold numbers or booleans. */
function text(value: Raw): string {
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : `${value as number}`;
}

function show(value: Raw): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

class Parser {
  readonly problems: string[] = [];

  fail(key: string, value: Raw, allowed: string): undefined {
    this.problems.push(`${key}: got ${show(value)}, expected ${allowed} (-c ${key}=...)`);
    return undefined;
  }

  boolean(key: string, value: Raw): boolean | undefined {
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
    return this.fail(key, value, 'true or false');
  }

  integer(key: string, value: Raw, min: number, max: number, unit = ''): number | undefined {
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && /^-?\d+$/.test(value.trim())
          ? Number(value)
          : NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      return this.fail(key, value, `a whole number from ${min} to ${max}${unit}`);
    }
    return n;
  }

  oneOf<T extends string>(key: string, value: Raw, allowed: readonly T[]): T | undefined {
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value.trim())) return value.trim() as T;
    return this.fail(key, value, `one of ${allowed.join(', ')}`);
  }

  list(value: Raw): string[] {
    if (Array.isArray(value)) return value.map((v) => text(v).trim()).filter((v) => v !== '');
    return text(value)
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
  }
}

/** True for `a.b.c.d/n` (n 0-32) and IPv6 `x::/n` (n 0-128) with the address part valid. */
export function isCidr(value: string): boolean {
  const slash = value.lastIndexOf('/');
  if (slash < 0) return false;
  const address = value.slice(0, slash);
  const prefix = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix)) return false;
  const bits = Number(prefix);
  if (isIPv4(address)) return bits <= 32;
  if (isIPv6(address)) return bits <= 128;
  return false;
}

function parseOverrides(context: Readonly<Record<string, Raw>>, p: Parser): Overrides {
  const o: Overrides = {};
  const has = (k: OverrideKey) => context[k] !== undefined && context[k] !== null;
  if (has('region')) {
    const v = text(context.region).trim();
    if (REGION_PATTERN.test(v)) {
      o.region = v;
      o.pinRegion = true;
    } else p.fail('region', context.region, 'an AWS region such as us-east-1');
  }
  if (has('account')) {
    const v = text(context.account).trim();
    if (ACCOUNT_PATTERN.test(v)) o.account = v;
    else p.fail('account', context.account, 'a 12-digit AWS account id');
  }
  if (has('instanceClass')) {
    const v = text(context.instanceClass).trim();
    if (parseInstanceClass(v)) o.instanceClass = v;
    else
      p.fail(
        'instanceClass',
        context.instanceClass,
        'an RDS for PostgreSQL class such as db.t4g.micro or db.m7g.large',
      );
  }
  if (has('multiAz')) o.multiAz = p.boolean('multiAz', context.multiAz);
  if (has('deletionProtection')) o.deletionProtection = p.boolean('deletionProtection', context.deletionProtection);
  if (has('allocatedStorage'))
    o.allocatedStorage = p.integer('allocatedStorage', context.allocatedStorage, 20, 65536, ' GiB');
  if (has('maxAllocatedStorage')) {
    o.maxAllocatedStorage = p.integer('maxAllocatedStorage', context.maxAllocatedStorage, 21, 65536, ' GiB');
  }
  if (has('storageType')) o.storageType = p.oneOf('storageType', context.storageType, STORAGE_TYPES);
  if (has('iops')) o.iops = p.integer('iops', context.iops, 1000, 256000);
  if (has('backupRetentionDays')) {
    o.backupRetentionDays = p.integer('backupRetentionDays', context.backupRetentionDays, 0, 35, ' days');
  }
  if (has('engineVersion')) {
    const v = text(context.engineVersion).trim();
    if (SUPPORTED_ENGINE_VERSIONS.includes(v)) o.engineVersion = v;
    else
      p.fail(
        'engineVersion',
        context.engineVersion,
        `a PostgreSQL version of 16 or newer: ${SUPPORTED_ENGINE_VERSIONS.join(', ')}`,
      );
  }
  if (has('port')) o.port = p.integer('port', context.port, 1150, 65535);
  if (has('rdsProxy')) o.rdsProxy = p.boolean('rdsProxy', context.rdsProxy);
  if (has('rotationDays')) o.rotationDays = p.integer('rotationDays', context.rotationDays, 1, 1000, ' days');
  if (has('allowedCidrs')) {
    const cidrs = p.list(context.allowedCidrs);
    const bad = cidrs.filter((c) => !isCidr(c));
    if (bad.length > 0)
      p.fail('allowedCidrs', context.allowedCidrs, 'comma-separated CIDRs such as 203.0.113.7/32 or 2001:db8::1/128');
    else o.allowedCidrs = cidrs;
  }
  if (has('removalPolicy')) o.removalPolicy = p.oneOf('removalPolicy', context.removalPolicy, REMOVAL_POLICIES);
  if (has('nagPacks')) {
    const packs = p.list(context.nagPacks);
    const bad = packs.filter((x) => !(NAG_PACKS as readonly string[]).includes(x));
    if (bad.length > 0 || packs.length === 0)
      p.fail('nagPacks', context.nagPacks, `comma-separated pack names from ${NAG_PACKS.join(', ')}`);
    else
      o.nagPacks = [
        'AwsSolutions',
        ...NAG_PACKS.filter((n): n is NagPackName => n !== 'AwsSolutions' && packs.includes(n)),
      ];
  }
  if (has('vpcId')) {
    const v = text(context.vpcId).trim();
    if (VPC_ID_PATTERN.test(v)) o.vpcId = v;
    else p.fail('vpcId', context.vpcId, 'a VPC id such as vpc-0123456789abcdef0');
  }
  // An invalid value leaves the key `undefined`: drop it so the profile's value is not erased.
  for (const key of Object.keys(o) as (keyof Overrides)[]) if (o[key] === undefined) delete o[key];
  return o;
}

/** Cross-field rules that only hold for the merged profile. Keys named are the ones a user would change. */
function checkProfile(profile: EnvironmentProfile, p: Parser): void {
  const where = `(environment ${profile.name})`;
  if (profile.maxAllocatedStorage <= profile.allocatedStorage) {
    p.problems.push(
      `maxAllocatedStorage: got ${profile.maxAllocatedStorage}, expected more than allocatedStorage ${profile.allocatedStorage} ${where}`,
    );
  }
  const iops = profile.iops;
  switch (profile.storageType) {
    case 'io1':
    case 'io2':
      if (iops === undefined)
        p.problems.push(`iops: missing, expected 1000 to 256000 for storageType ${profile.storageType} ${where}`);
      if (profile.allocatedStorage < 100) {
        p.problems.push(
          `allocatedStorage: got ${profile.allocatedStorage}, expected at least 100 GiB for storageType ${profile.storageType} ${where}`,
        );
      }
      break;
    case 'gp2':
      if (iops !== undefined)
        p.problems.push(`iops: got ${iops}, expected none for storageType gp2 (use gp3, io1 or io2) ${where}`);
      break;
    case 'gp3':
      if (iops !== undefined && profile.allocatedStorage < 400) {
        p.problems.push(`iops: got ${iops}, expected none below 400 GiB of gp3 (3000 IOPS are included) ${where}`);
      } else if (iops !== undefined && (iops < 12000 || iops > 64000)) {
        p.problems.push(`iops: got ${iops}, expected 12000 to 64000 for gp3 from 400 GiB ${where}`);
      }
      break;
  }
  if (profile.vpcId !== undefined && profile.account === undefined) {
    p.problems.push(
      `vpcId: got '${profile.vpcId}', a VPC lookup needs -c account=<12 digits> (and credentials or cdk.context.json) ${where}`,
    );
  }
}

/**
 * Turns the app's context into the profiles to synthesize. Throws `ConfigError` listing every problem.
 */
export function resolveConfig(context: Readonly<Record<string, Raw>>): KitConfig {
  const p = new Parser();
  let selected: readonly EnvironmentName[] = ENVIRONMENT_NAMES;
  const env = context.environment;
  if (env !== undefined && env !== null) {
    const v = text(env).trim();
    if (isEnvironmentName(v)) selected = [v];
    else p.fail('environment', env, `one of ${ENVIRONMENT_NAMES.join(', ')}`);
  }
  // A key the kit does not read (`-c enviroment=prod`) would otherwise be ignored silently.
  p.problems.push(...unknownContextKeys(context, KNOWN_CONTEXT_KEYS));
  const overrides = parseOverrides(context, p);
  const environments = selected.map((name) => ({ ...profiles[name], ...overrides }));
  environments.forEach((e) => checkProfile(e, p));
  if (p.problems.length > 0) throw new ConfigError([...new Set(p.problems)]);
  return { environments };
}
