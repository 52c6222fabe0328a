/**
 * What the kit knows about RDS for PostgreSQL instance classes: which names are valid and which monitoring features a
 * class supports. Sources are in the README ("Instance classes").
 */

/** Instance families offered for RDS for PostgreSQL (general purpose, memory optimized, burstable). */
export const POSTGRES_INSTANCE_FAMILIES = [
  't3',
  't4g',
  'm5',
  'm5d',
  'm6g',
  'm6gd',
  'm6i',
  'm6id',
  'm6idn',
  'm6in',
  'm7g',
  'm7i',
  'm8g',
  'r5',
  'r5b',
  'r5d',
  'r6g',
  'r6gd',
  'r6i',
  'r6id',
  'r6idn',
  'r6in',
  'r7g',
  'r7i',
  'r8g',
  'x2g',
  'x2idn',
  'x2iedn',
  'x2iezn',
] as const;

export const INSTANCE_SIZES = [
  'micro',
  'small',
  'medium',
  'large',
  'xlarge',
  '2xlarge',
  '4xlarge',
  '8xlarge',
  '12xlarge',
  '16xlarge',
  '24xlarge',
  '32xlarge',
  '48xlarge',
] as const;

const CLASS_PATTERN = /^db\.([a-z0-9]+)\.([a-z0-9]+)$/;

export interface ParsedInstanceClass {
  /** e.g. `t4g` */
  readonly family: string;
  /** e.g. `micro` */
  readonly size: string;
}

/** Parses `db.<family>.<size>`; returns undefined for anything RDS for PostgreSQL does not offer. */
export function parseInstanceClass(value: string): ParsedInstanceClass | undefined {
  const match = CLASS_PATTERN.exec(value);
  if (!match) return undefined;
  const [, family, size] = match;
  if (!(POSTGRES_INSTANCE_FAMILIES as readonly string[]).includes(family)) return undefined;
  if (!(INSTANCE_SIZES as readonly string[]).includes(size)) return undefined;
  return { family, size };
}

/**
 * Performance Insights (Database Insights standard mode) is not offered on the smallest burstable classes; the kit
 * leaves it off there rather than fail at deploy time.
 */
export function supportsPerformanceInsights(instanceClass: string): boolean {
  const parsed = parseInstanceClass(instanceClass);
  if (!parsed) return false;
  const burstable = parsed.family.startsWith('t');
  return !(burstable && (parsed.size === 'micro' || parsed.size === 'small'));
}

/** Enhanced monitoring is available on every current RDS for PostgreSQL class. */
export function supportsEnhancedMonitoring(instanceClass: string): boolean {
  return parseInstanceClass(instanceClass) !== undefined;
}

/** `db.t4g.micro` → `t4g.micro`, the form aws-cdk-lib's `InstanceType` takes. */
export function toEc2InstanceType(instanceClass: string): string {
  return instanceClass.replace(/^db\./, '');
}
