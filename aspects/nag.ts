/**
 * cdk-nag 3 packs as the kit runs them: per stack, the packs its environment selects, through the packs' own
 * `validateScope` (the validation-plugin API), so that their findings share one acknowledgement and reporting path with
 * the kit's rules.
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  IApplyRule,
  NIST80053R5Checks,
  NagPack,
  NagRuleCompliance,
  PCIDSS321Checks,
} from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { SetupError } from './setup';
import type { NagPackName } from '../lib/profiles';

/**
 * cdk-nag rules that check the controls the kit never lets prod acknowledge: deletion protection, Multi-AZ, open
 * ingress and encryption.
 */
const UNACKNOWLEDGEABLE_IN_PROD = new Set([
  'AwsSolutions-RDS2',
  'AwsSolutions-RDS3',
  'AwsSolutions-RDS8',
  'AwsSolutions-RDS10',
  'AwsSolutions-EC23',
  ...['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'].flatMap((p) =>
    [
      'RDSStorageEncrypted',
      'RDSMultiAZSupport',
      'RDSInstanceDeletionProtectionEnabled',
      'EC2RestrictedCommonPorts',
      'EC2RestrictedSSH',
      'SecretsManagerUsingKMSKey',
    ].map((r) => `${p}-${r}`),
  ),
]);

export function nagUnacknowledgeableInProd(ruleId: string): boolean {
  return UNACKNOWLEDGEABLE_IN_PROD.has(ruleId.replace(/\[.*$/, ''));
}

export interface NagFinding {
  readonly pack: NagPackName;
  readonly ruleId: string;
  readonly description: string;
  readonly level: 'error' | 'warning';
  readonly constructPath: string;
}

/** Which pack a cdk-nag rule id belongs to. */
export function packOfRule(ruleId: string): NagPackName | undefined {
  return (Object.keys(PACKS) as NagPackName[]).find((name) => ruleId.startsWith(`${PACKS[name].prefix}-`));
}

/**
 * Resource types every pack the kit runs has rules for. A stack holding one of them that a pack found nothing to judge
 * in was not examined: cdk-nag's rules test `instanceof` against their own copy of aws-cdk-lib's classes.
 */
export const EXAMINED_BY_EVERY_PACK: ReadonlySet<string> = new Set([
  'AWS::S3::Bucket',
  'AWS::RDS::DBInstance',
  'AWS::SecretsManager::Secret',
  'AWS::Lambda::Function',
]);

/**
 * A resource of one of those types made with its generated L1 class (of any copy of aws-cdk-lib), which cdk-nag's rules
 * recognize. A plain `new CfnResource(scope, id, { type })` is invisible to them by design: the kit's own rules judge it.
 */
function isTypedL1(c: IConstruct): c is CfnResource {
  if (!CfnResource.isCfnResource(c) || !EXAMINED_BY_EVERY_PACK.has(c.cfnResourceType)) return false;
  const typeName = (c.constructor as { CFN_RESOURCE_TYPE_NAME?: unknown }).CFN_RESOURCE_TYPE_NAME;
  return typeName === c.cfnResourceType;
}

type NagRule = IApplyRule['rule'];

/**
 * Whether the pack being run (packs run one at a time, synchronously) has applied a rule to a resource yet; undefined
 * outside a counted run.
 */
let counting: { seen: boolean } | undefined;

/**
 * One counting wrapper per rule function, shared by every pack and stack: cdk-nag's rules are module-level functions,
 * and a pack applies each of them to every node.
 */
const wrappers = new WeakMap<NagRule, NagRule>();

function countingWrapper(rule: NagRule): NagRule {
  let wrapped = wrappers.get(rule);
  if (!wrapped) {
    wrapped = (node: CfnResource) => {
      try {
        const result = rule(node);
        if (result !== NagRuleCompliance.NOT_APPLICABLE && counting) counting.seen = true;
        return result;
      } catch (error) {
        if (counting) counting.seen = true;
        throw error;
      }
    };
    // cdk-nag names the finding after the rule function.
    Object.defineProperty(wrapped, 'name', { value: rule.name });
    wrappers.set(rule, wrapped);
  }
  return wrapped;
}

function counted(params: IApplyRule): IApplyRule {
  const { rule } = params; // eslint-disable-line @typescript-eslint/unbound-method -- a plain function of the pack
  return { ...params, rule: countingWrapper(rule) };
}

/**
 * The packs the kit runs: until one of a pack's rules has applied to a resource (the count only has to tell none from
 * some), each rule it applies is wrapped; from then on the rules run as the pack's own. Subclasses, so that the pack
 * objects keep one shape and the check costs one test per rule applied.
 */
class CountedAwsSolutions extends AwsSolutionsChecks {
  protected override applyRule(params: IApplyRule): void {
    super.applyRule(counting && !counting.seen ? counted(params) : params);
  }
}
class CountedHipaa extends HIPAASecurityChecks {
  protected override applyRule(params: IApplyRule): void {
    super.applyRule(counting && !counting.seen ? counted(params) : params);
  }
}
class CountedNist extends NIST80053R5Checks {
  protected override applyRule(params: IApplyRule): void {
    super.applyRule(counting && !counting.seen ? counted(params) : params);
  }
}
class CountedPci extends PCIDSS321Checks {
  protected override applyRule(params: IApplyRule): void {
    super.applyRule(counting && !counting.seen ? counted(params) : params);
  }
}

/** The packs the kit runs, each counting whether it examined anything (validateCounting). */
const PACKS: Record<NagPackName, { prefix: string; make: () => NagPack }> = {
  AwsSolutions: { prefix: 'AwsSolutions', make: () => new CountedAwsSolutions(undefined, { verbose: false }) },
  HIPAA: { prefix: 'HIPAA.Security', make: () => new CountedHipaa(undefined, { verbose: false }) },
  NIST80053R5: { prefix: 'NIST.800.53.R5', make: () => new CountedNist(undefined, { verbose: false }) },
  PCIDSS321: { prefix: 'PCI.DSS.321', make: () => new CountedPci(undefined, { verbose: false }) },
};

function validateCounting(
  pack: NagPack,
  scope: Stack,
): { report: ReturnType<NagPack['validateScope']>; examined: boolean } {
  const state = { seen: false };
  counting = state;
  try {
    return { report: pack.validateScope(scope), examined: state.seen };
  } finally {
    counting = undefined;
  }
}

/** Runs the selected packs over one stack's construct tree. AwsSolutions always runs. */
export function runNagPacks(stack: Stack, packs: readonly NagPackName[]): NagFinding[] {
  const selected = new Set<NagPackName>(['AwsSolutions', ...packs]);
  const findings: NagFinding[] = [];
  const judgeable = stack.node.findAll().find((c): c is CfnResource => isTypedL1(c) && Stack.of(c) === stack);
  for (const name of Object.keys(PACKS) as NagPackName[]) {
    if (!selected.has(name)) continue;
    const pack = PACKS[name].make();
    const { report, examined } = validateCounting(pack, stack);
    if (judgeable && !examined) {
      throw new SetupError([
        `cdk-nag ${name}: examined no resource of stack ${stack.node.path}, which holds ${judgeable.node.path} (${judgeable.cfnResourceType}); cdk-nag and the app use different copies of aws-cdk-lib: run \`npm ls aws-cdk-lib\` and install one copy`,
      ]);
    }
    for (const v of report.violations) {
      for (const r of v.violatingResources) {
        findings.push({
          pack: name,
          ruleId: v.ruleName,
          description: v.description,
          level: v.severity === 'warning' ? 'warning' : 'error',
          constructPath: r.constructPath ?? stack.node.path,
        });
      }
    }
  }
  return findings;
}
