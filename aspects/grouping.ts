/**
 * One problem, one finding: the kit's rule and the cdk-nag rules that check the same control on the same resource
 * (SS-RDS-002, AwsSolutions-RDS3 and NIST.800.53.R5-RDSMultiAZSupport on one database) are reported together, at synth
 * and in SARIF. compliance.json keeps every rule's own result.
 */
import { blocking } from './engine';
import { RULES } from './rules';
import type { CheckResult } from './types';

export interface FindingGroup {
  /** The result that names the problem: the kit's rule where one is in the group, else the most severe. */
  readonly primary: CheckResult;
  /** The other rules' results on the same control of the same resource, in rule-id order. */
  readonly related: readonly CheckResult[];
}

/** cdk-nag's compliance packs name each rule `<pack>-<AWS Config rule>`: the same check under every pack. */
const COMPLIANCE_PACK = /^(?:HIPAA\.Security|NIST\.800\.53\.R[45]|PCI\.DSS\.321)-(.+)$/;

/** A rule id without the finding detail cdk-nag appends: `AwsSolutions-IAM4[Policy::...]` → `AwsSolutions-IAM4`. */
export function baseRuleId(ruleId: string): string {
  const bracket = ruleId.indexOf('[');
  return bracket < 0 ? ruleId : ruleId.slice(0, bracket);
}

const KIT_RULE_OF = new Map<string, string>(
  RULES.flatMap((rule) => (rule.equivalents ?? []).map((equivalent) => [equivalent, rule.id] as const)),
);

/** The control a rule checks: the kit rule it is equivalent to, else the compliance packs' common check, else itself. */
export function controlOf(ruleId: string): string {
  const base = baseRuleId(ruleId);
  const check = COMPLIANCE_PACK.exec(base)?.[1];
  const kit = KIT_RULE_OF.get(base) ?? (check ? KIT_RULE_OF.get(`*-${check}`) : undefined);
  // Finding detail (`[Policy::...]`) distinguishes problems: two managed policies are two findings.
  return (kit ?? (check ? `*-${check}` : base)) + ruleId.slice(base.length);
}

/** Preference for the group's name: the kit's rule, then a blocking result, then an open one, then rule id. */
function rank(r: CheckResult): number {
  return (r.source === 'spendsense' ? 0 : 4) + (blocking([r]).length ? 0 : 2) + (r.status === 'acknowledged' ? 1 : 0);
}

/** Groups findings (no passes) by resource and control, in the order of each group's first finding. */
export function groupFindings(findings: readonly CheckResult[]): FindingGroup[] {
  const groups = new Map<string, CheckResult[]>();
  for (const r of findings) {
    if (r.status === 'pass') continue;
    const key = [r.stack, r.logicalId || r.constructPath, controlOf(r.ruleId)].join('\u0000');
    const members = groups.get(key);
    if (members) members.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()].map((members) => {
    const [primary, ...related] = [...members].sort(
      (a, b) => rank(a) - rank(b) || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0),
    );
    return { primary, related: related.sort((a, b) => (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0)) };
  });
}

/** Every rule id of a group, the primary first: `SS-RDS-002 + AwsSolutions-RDS3 + NIST.800.53.R5-RDSMultiAZSupport`. */
export function groupRuleIds(group: FindingGroup): string {
  return [group.primary, ...group.related].map((r) => r.ruleId).join(' + ');
}
