/**
 * For the cdk-nag-only gate: the findings the kit's acknowledge() accepts, written the way a team on cdk-nag alone
 * writes them, so that both gates start from the same accepted findings and differ only in what they check.
 */
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NagPack, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { ACKNOWLEDGEMENT_METADATA } from '../../aspects/acknowledgements';

/** Rule ids of cdk-nag's packs; the kit's own (SS-...) mean nothing to cdk-nag. */
const NAG_RULE = /^(AwsSolutions|HIPAA\.Security|NIST\.800\.53\.R5|PCI\.DSS\.321)-/;

interface KitAcknowledgement {
  readonly scope: string;
  readonly ruleId: string;
  readonly reason: string;
}

function kitAcknowledgements(root: IConstruct): KitAcknowledgement[] {
  const found: KitAcknowledgement[] = [];
  for (const c of root.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== ACKNOWLEDGEMENT_METADATA) continue;
      const data = entry.data as { ruleId?: unknown; reason?: unknown } | undefined;
      if (typeof data?.ruleId !== 'string' || !NAG_RULE.test(data.ruleId)) continue;
      found.push({
        scope: c.node.path,
        ruleId: data.ruleId,
        reason: typeof data.reason === 'string' ? data.reason : '',
      });
    }
  }
  return found;
}

const under = (scope: string, path: string) => path === scope || path.startsWith(`${scope}/`);

/**
 * cdk-nag honours `Validations.of(x).acknowledge({ id })` only for the exact finding id (`AwsSolutions-IAM4[Policy::...]`)
 * on the resource or an ancestor, while a kit acknowledgement of `AwsSolutions-IAM4` covers each such finding under its
 * construct. The packs are run once without acknowledgements to learn the exact ids, and each one a kit
 * acknowledgement covers is acknowledged natively on its resource.
 */
export function nativeAcknowledgementsFor(root: IConstruct): number {
  const acks = kitAcknowledgements(root);
  if (acks.length === 0) return 0;
  const byPath = new Map(root.node.findAll().map((c) => [c.node.path, c]));
  let count = 0;
  const packs: NagPack[] = [
    new AwsSolutionsChecks(undefined, { verbose: false }),
    new NIST80053R5Checks(undefined, { verbose: false }),
    new PCIDSS321Checks(undefined, { verbose: false }),
  ];
  for (const pack of packs) {
    for (const v of pack.validateScope(root).violations) {
      for (const r of v.violatingResources) {
        const path = r.constructPath;
        const target = path === undefined ? undefined : byPath.get(path);
        if (!target || path === undefined) continue;
        const ack = acks.find(
          (a) => (v.ruleName === a.ruleId || v.ruleName.startsWith(`${a.ruleId}[`)) && under(a.scope, path),
        );
        if (!ack) continue;
        Validations.of(target).acknowledge({ id: v.ruleName, reason: ack.reason });
        count++;
      }
    }
  }
  return count;
}
