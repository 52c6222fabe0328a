/**
 * How the policy engine learns which environment a stack belongs to. `DatabaseStack` marks itself from its profile;
 * `applyCompliance(scope, { environment })` marks a team's own scopes.
 */
import type { IConstruct } from 'constructs';
import type { EnvironmentName, NagPackName } from '../lib/profiles';

export interface ComplianceTarget {
  readonly environment: EnvironmentName;
  /** cdk-nag packs to run on the stack. AwsSolutions is always run. */
  readonly nagPacks: readonly NagPackName[];
  /** Smallest backup retention, in days, the environment accepts. */
  readonly minBackupRetentionDays: number;
}

/** Default backup minimum per environment for stacks that are not the kit's. */
export const DEFAULT_MIN_BACKUP_RETENTION_DAYS: Readonly<Record<EnvironmentName, number>> = {
  dev: 1,
  staging: 7,
  prod: 14,
};

/**
 * The markings, private to this module: a property on the construct (even under a symbol) is one the judged code can
 * overwrite, and `markComplianceTarget` is the only way in, which only adds.
 */
const MARKINGS = new WeakMap<IConstruct, ComplianceTarget>();

/**
 * Marks `scope` (a stack, stage or app) and everything under it as belonging to `target.environment`. A second
 * marking of the same scope adds to the first, as markings above it do.
 */
export function markComplianceTarget(scope: IConstruct, target: ComplianceTarget): void {
  const before = MARKINGS.get(scope);
  const merged = before ? complianceTargetOfPair(before, target) : target;
  // Frozen, packs and all: what a marking hands out cannot be edited to lower the bar.
  MARKINGS.set(scope, Object.freeze({ ...merged, nagPacks: Object.freeze([...merged.nagPacks]) }));
}

/** The marking made on `scope` itself, not above it. */
export function ownComplianceTarget(scope: IConstruct): ComplianceTarget | undefined {
  return MARKINGS.get(scope);
}

/** What all of `targets` ask for together (see complianceTargetOf). */
export function mergeComplianceTargets(first: ComplianceTarget, ...rest: ComplianceTarget[]): ComplianceTarget {
  return rest.reduce(complianceTargetOfPair, first);
}

function complianceTargetOfPair(a: ComplianceTarget, b: ComplianceTarget): ComplianceTarget {
  return {
    environment: stricterEnvironment(a.environment, b.environment),
    nagPacks: [...new Set([...a.nagPacks, ...b.nagPacks])],
    minBackupRetentionDays: Math.max(a.minBackupRetentionDays, b.minBackupRetentionDays),
  };
}

const STRICTNESS: Readonly<Record<EnvironmentName, number>> = { dev: 0, staging: 1, prod: 2 };

/** True when `a` is strictly stricter than `b` (prod over staging over dev). */
export function isStricter(a: EnvironmentName, b: EnvironmentName): boolean {
  return STRICTNESS[a] > STRICTNESS[b];
}

/** The stricter of two environments (prod over staging over dev). */
export function stricterEnvironment(a: EnvironmentName, b: EnvironmentName): EnvironmentName {
  return STRICTNESS[b] > STRICTNESS[a] ? b : a;
}

/**
 * What every marking at or above `scope` asks for together, or undefined when nothing says which environment it is.
 * Markings only add up: the strictest environment, every pack, the largest backup minimum. So
 * `applyCompliance(prodStack, { environment: 'dev' })` cannot make a kit prod stack (marked by its profile) a dev one.
 */
export function complianceTargetOf(scope: IConstruct): ComplianceTarget | undefined {
  let merged: ComplianceTarget | undefined;
  for (let c: IConstruct | undefined = scope; c; c = c.node.scope) {
    const t = MARKINGS.get(c);
    if (!t) continue;
    merged = merged ? complianceTargetOfPair(merged, t) : t;
  }
  return merged;
}
