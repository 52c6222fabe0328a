import type { Resolver } from '../../resolve';
import { describeShort } from '../../resolve';
import { PolicyRule, RuleOutcome, cannotVerify, fail, pass, props } from '../../rule';
import { booleanOf, stringOf, viaOf } from '../../template';

/** The rotation of a key with these properties, read where they are written; evidence begins with `prefix`. */
function rotationOf(p: Record<string, unknown>, resolver: Resolver, prefix = ''): RuleOutcome[] {
  const spec = stringOf(p.KeySpec, resolver);
  if (!spec.known) return [cannotVerify(`${prefix}KeySpec is ${spec.why}`, 'Properties/KeySpec')];
  // Only symmetric encryption keys support automatic rotation.
  if (spec.value !== undefined && spec.value !== 'SYMMETRIC_DEFAULT') return [];
  const v = booleanOf(p.EnableKeyRotation, resolver, false);
  const where = 'Properties/EnableKeyRotation';
  if (!v.known) return [cannotVerify(`${prefix}EnableKeyRotation is ${v.why}`, where)];
  return [
    v.value
      ? pass(`${prefix}EnableKeyRotation=true${viaOf(v)}`, where)
      : fail(
          `${prefix}EnableKeyRotation=${p.EnableKeyRotation === undefined ? 'not set (false)' : 'false'}${viaOf(v)}`,
          where,
        ),
  ];
}

/** SS-KMS-001: customer-managed symmetric keys rotate their key material. */
export const keyRotation: PolicyRule = {
  id: 'SS-KMS-001',
  title: 'KMS key rotation is on',
  equivalents: ['AwsSolutions-KMS5', '*-KMSBackingKeyRotationEnabled'],
  rationale:
    'Yearly rotation limits how much data one key version protects, as PCI DSS 3.6.4 and NIST SC-12 expect. A multi-Region replica key has no rotation setting of its own: it shares its primary key’s key material and rotation.',
  fix: 'Set enableKeyRotation: true on the kms.Key (for a replica key, on its primary key).',
  severity: { dev: 'error', staging: 'error', prod: 'error' },
  unacknowledgeableIn: [],
  resourceTypes: ['AWS::KMS::Key', 'AWS::KMS::ReplicaKey'],
  evaluate(resource, { resolver }) {
    const p = props(resource);
    if (resource.Type === 'AWS::KMS::Key') return rotationOf(p, resolver);
    // A replica key rotates when its primary does, and the primary is in another Region: judged when the app defines it.
    const primary = resolver.resolve(p.PrimaryKeyArn);
    if (primary.kind === 'resource' && primary.type === 'AWS::KMS::Key' && primary.attribute !== undefined) {
      const where = primary.stack === resolver.stack ? '' : ` of stack ${primary.stack}`;
      return rotationOf(props(primary.resource), primary.resolver, `the primary key ${primary.logicalId}${where}: `);
    }
    const shown =
      primary.kind === 'unknown'
        ? primary.why
        : primary.kind === 'resource'
          ? `${primary.logicalId} (${primary.type})`
          : describeShort(primary.kind === 'literal' ? primary.value : primary.text);
    return [
      cannotVerify(
        `PrimaryKeyArn=${shown}: a replica key rotates with its primary key, which is outside this app`,
        'Properties/PrimaryKeyArn',
      ),
    ];
  },
};
