import { PolicyRule, cannotVerify, fail, pass, props } from '../../rule';
import { booleanOf, stringOf, viaOf } from '../../template';

/** SS-KMS-001: customer-managed symmetric keys rotate their key material. */
export const keyRotation: PolicyRule = {
  id: 'SS-KMS-001',
  title: 'KMS key rotation is on',
  equivalents: ['AwsSolutions-KMS5', '*-KMSBackingKeyRotationEnabled'],
  rationale: 'Yearly rotation limits how much data one key version protects, as PCI DSS 3.6.4 and NIST SC-12 expect.',
  fix: 'Set enableKeyRotation: true on the kms.Key.',
  severity: { dev: 'error', staging: 'error', prod: 'error' },
  unacknowledgeableIn: [],
  resourceTypes: ['AWS::KMS::Key'],
  evaluate(resource, { resolver }) {
    const p = props(resource);
    const spec = stringOf(p.KeySpec, resolver);
    if (!spec.known) return [cannotVerify(`KeySpec is ${spec.why}`, 'Properties/KeySpec')];
    // Only symmetric encryption keys support automatic rotation.
    if (spec.value !== undefined && spec.value !== 'SYMMETRIC_DEFAULT') return [];
    const v = booleanOf(p.EnableKeyRotation, resolver, false);
    const where = 'Properties/EnableKeyRotation';
    if (!v.known) return [cannotVerify(`EnableKeyRotation is ${v.why}`, where)];
    return [
      v.value
        ? pass(`EnableKeyRotation=true${viaOf(v)}`, where)
        : fail(
            `EnableKeyRotation=${p.EnableKeyRotation === undefined ? 'not set (false)' : 'false'}${viaOf(v)}`,
            where,
          ),
    ];
  },
};
