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

const TARGET = Symbol.for('spendsense.compliance.target');

type Marked = IConstruct & { [TARGET]?: ComplianceTarget };

/** Marks `scope` (a stack, stage or app) and everything under it as belonging to `target.environment`. */
export function markComplianceTarget(scope: IConstruct, target: ComplianceTarget): void {
  (scope as Marked)[TARGET] = target;
}

/** The nearest marking at or above `scope`, or undefined when nothing says which environment it is. */
export function complianceTargetOf(scope: IConstruct): ComplianceTarget | undefined {
  for (let c: IConstruct | undefined = scope; c; c = c.node.scope) {
    const t = (c as Marked)[TARGET];
    if (t) return t;
  }
  return undefined;
}
