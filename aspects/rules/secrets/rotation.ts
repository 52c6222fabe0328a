import { PolicyRule, fail, pass } from '../../rule';
import { unconditional } from '../../template';

/** SS-SM-002: every secret has a rotation schedule. */
export const secretRotation: PolicyRule = {
  id: 'SS-SM-002',
  title: 'Secrets rotate on a schedule',
  equivalents: ['AwsSolutions-SMG4', '*-SecretsManagerRotationEnabled'],
  rationale: 'A rotated credential limits how long a leaked copy stays useful; PCI DSS 8.2.4 and NIST IA-5 expect it.',
  fix: 'Add a rotation schedule: secret.addRotationSchedule(...) or database.addRotationSingleUser().',
  severity: { dev: 'off', staging: 'warning', prod: 'error' },
  unacknowledgeableIn: [],
  resourceTypes: ['AWS::SecretsManager::Secret'],
  evaluate(_resource, { template, logicalId, resolver }) {
    // A RotationSchedule's SecretId may name the secret or its SecretTargetAttachment (whose Ref is the secret's ARN).
    const targetOf = (value: unknown): string | undefined => {
      const r = resolver.resolve(value);
      if (r.kind !== 'resource' || r.stack !== resolver.stack) return undefined;
      if (r.type === 'AWS::SecretsManager::SecretTargetAttachment') return targetOf(r.resource.Properties?.SecretId);
      return r.logicalId;
    };
    const schedules = Object.entries(template.Resources ?? {}).filter(
      ([, r]) => r.Type === 'AWS::SecretsManager::RotationSchedule' && targetOf(r.Properties?.SecretId) === logicalId,
    );
    const always = schedules.filter(([, r]) => unconditional(r)).map(([id]) => id);
    if (always.length > 0) return [pass(`rotation schedule ${always.sort().join(', ')}`)];
    return [
      fail(
        schedules.length > 0
          ? `only a rotation schedule under a Condition (${schedules.map(([id]) => id).join(', ')}), which may not exist`
          : 'no AWS::SecretsManager::RotationSchedule targets this secret',
      ),
    ];
  },
};
