/**
 * cdk-nag 3 packs as the kit runs them: per stack, the packs its environment selects, through the packs' own
 * `validateScope` (the validation-plugin API), so that their findings share one acknowledgement and reporting path with
 * the kit's rules.
 */
import type { Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, NagPack, PCIDSS321Checks } from 'cdk-nag';
import type { NagPackName } from '../lib/profiles';

const PACKS: Record<NagPackName, { prefix: string; make: () => NagPack }> = {
  AwsSolutions: { prefix: 'AwsSolutions', make: () => new AwsSolutionsChecks(undefined, { verbose: false }) },
  HIPAA: { prefix: 'HIPAA.Security', make: () => new HIPAASecurityChecks(undefined, { verbose: false }) },
  NIST80053R5: { prefix: 'NIST.800.53.R5', make: () => new NIST80053R5Checks(undefined, { verbose: false }) },
  PCIDSS321: { prefix: 'PCI.DSS.321', make: () => new PCIDSS321Checks(undefined, { verbose: false }) },
};

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

/** Runs the selected packs over one stack's construct tree. AwsSolutions always runs. */
export function runNagPacks(stack: Stack, packs: readonly NagPackName[]): NagFinding[] {
  const selected = new Set<NagPackName>(['AwsSolutions', ...packs]);
  const findings: NagFinding[] = [];
  for (const name of Object.keys(PACKS) as NagPackName[]) {
    if (!selected.has(name)) continue;
    const report = PACKS[name].make().validateScope(stack);
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
