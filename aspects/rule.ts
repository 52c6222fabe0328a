/**
 * What a policy rule is: metadata beside a pure function of one rendered resource and its environment.
 */
import type { EnvironmentName } from '../lib/profiles';
import type { FileAssets } from './assets';
import { stricterEnvironment } from './environment';
import { describeShort, Resolver } from './resolve';
import type { CfnTemplate, TemplateResource } from './template';
import type { Severity } from './types';

/** `off` means the rule is not evaluated in that environment. */
export type RuleSeverity = Severity | 'off';

/** What a rule needs to know about where the resource lives. */
export interface RuleContext {
  readonly environment: EnvironmentName;
  /** The whole template, for rules that follow references (parameter groups, rotation schedules, clusters). */
  readonly template: CfnTemplate;
  readonly logicalId: string;
  /** Smallest backup retention, in days, this environment accepts. */
  readonly minBackupRetentionDays: number;
  /** Follows references: this template's resources, sibling stacks' exports, a nested stack's parent parameters. */
  readonly resolver: Resolver;
  /** Logical ids of `AWS::CloudFormation::Stack` resources whose template the gate judged (the app's NestedStacks). */
  readonly judgedNestedStacks: ReadonlySet<string>;
  /** The stack's file assets (the top-level stack's, for a nested one): documents a template reads from S3. */
  readonly fileAssets?: FileAssets;
}

/** The verdict on one resource (or one part of it, such as one ingress rule). */
export interface RuleOutcome {
  readonly status: 'pass' | 'fail' | 'cannot-verify';
  /** The value found, e.g. `DeletionProtection=false`. */
  readonly evidence: string;
  /** Where inside the resource, for SARIF and the report, e.g. `Properties/DeletionProtection`. */
  readonly location?: string;
  /** A severity that differs from the rule's for this outcome (e.g. a single-host CIDR in dev). */
  readonly severity?: RuleSeverity;
  /**
   * The environment whose policy judges this outcome, when it is stricter than the stack's: an ingress rule in a dev
   * stack that opens a prod stack's security group is judged, and may be acknowledged, as prod judges its own.
   */
  readonly judgedIn?: EnvironmentName;
}

export interface PolicyRule {
  /** Stable id: `SS-<SERVICE>-<NNN>`. The same id appears in synth errors, SARIF, reports and acknowledgements. */
  readonly id: string;
  readonly title: string;
  /**
   * cdk-nag rules that check the same control: `AwsSolutions-RDS3`, or `*-RDSMultiAZSupport` for that rule of every
   * compliance pack. Their findings on the same resource are reported as one problem with this rule's.
   */
  readonly equivalents?: readonly string[];
  readonly rationale: string;
  readonly fix: string;
  readonly severity: Readonly<Record<EnvironmentName, RuleSeverity>>;
  /** Environments where this rule may not be acknowledged at all. */
  readonly unacknowledgeableIn: readonly EnvironmentName[];
  /** Resource types judged one by one; `*` for every type. */
  readonly resourceTypes: readonly string[];
  /** Types judged besides `resourceTypes`, by a test of the name (registry extensions have no fixed list). */
  readonly alsoJudges?: (type: string) => boolean;
  /** Pure: an empty array when the resource is out of the rule's scope. */
  evaluate(resource: TemplateResource, context: RuleContext): readonly RuleOutcome[];
  /** A check of the template as a whole (its Transform, sections a resource does not have), run once. */
  evaluateTemplate?(context: RuleContext): readonly RuleOutcome[];
}

export const pass = (evidence: string, location?: string): RuleOutcome => ({ status: 'pass', evidence, location });
export const fail = (evidence: string, location?: string): RuleOutcome => ({ status: 'fail', evidence, location });
export const cannotVerify = (evidence: string, location?: string): RuleOutcome => ({
  status: 'cannot-verify',
  evidence,
  location,
});

/** Properties of a resource, never undefined. */
export function props(resource: TemplateResource): Record<string, unknown> {
  return resource.Properties ?? {};
}

/**
 * Whether a DB instance belongs to a cluster: `none`, `here` (a cluster of this template, judged on its own), or an
 * outcome saying the cluster is outside the template, so cluster-level settings cannot be verified.
 */
export function clusterMembership(resource: TemplateResource, context: RuleContext): 'none' | 'here' | RuleOutcome {
  const p = props(resource);
  if (resource.Type !== 'AWS::RDS::DBInstance' || p.DBClusterIdentifier === undefined) return 'none';
  const r = context.resolver.resolve(p.DBClusterIdentifier);
  if (r.kind === 'resource' && r.type === 'AWS::RDS::DBCluster' && r.stack === context.resolver.stack) return 'here';
  return cannotVerify(
    `DBClusterIdentifier=${r.kind === 'unknown' ? r.why : r.kind === 'resource' ? r.logicalId : describeShort(r.kind === 'literal' ? r.value : r.text)}: a cluster outside this template, whose settings the gate cannot read`,
    'Properties/DBClusterIdentifier',
  );
}

/**
 * The environment that judges a resource of this stack that changes one of `owner`'s (an ingress rule on its group, a
 * listener on its load balancer): the stricter of the two stacks', so a dev stack cannot open what prod guards.
 */
export function judgingEnvironment(context: RuleContext, owner: Resolver | undefined): EnvironmentName {
  return owner?.environment ? stricterEnvironment(owner.environment, context.environment) : context.environment;
}

/** `outcomes` judged in `environment`: when it is not the stack's own, each says so (`judgedIn`) and names `target`. */
export function judgedIn(
  outcomes: readonly RuleOutcome[],
  environment: EnvironmentName,
  context: RuleContext,
  target: string,
): readonly RuleOutcome[] {
  if (environment === context.environment) return outcomes;
  const note = ` (${target} of a ${environment} stack)`;
  return outcomes.map((o) => ({ ...o, evidence: `${o.evidence}${note}`, judgedIn: environment }));
}
