import { PolicyRule, fail, pass } from '../../rule';
import { referencedResource } from '../../template';

/** SS-SM-002: every secret has a rotation schedule. */
export const secretRotation: PolicyRule = {
  id: 'SS-SM-002',
  title: 'Secrets rotate on a schedule',
  rationale: 'A rotated credential limits how long a leaked copy stays useful; PCI DSS 8.2.4 and NIST IA-5 expect it.',
  fix: 'Add a rotation schedule: secret.addRotationSchedule(...) or database.addRotationSingleUser().',
  severity: { dev: 'off', staging: 'warning', prod: 'error' },
  unacknowledgeableIn: [],
  resourceTypes: ['AWS::SecretsManager::Secret'],
  evaluate(_resource, { template, logicalId }) {
    const schedules = Object.entries(template.Resources ?? {}).filter(
      ([, r]) =>
        r.Type === 'AWS::SecretsManager::RotationSchedule' &&
        referencedResource(r.Properties?.SecretId, template) === logicalId,
    );
    // A SecretTargetAttachment's Ref is the secret's ARN too: schedules may point at the attachment.
    const attachments = Object.entries(template.Resources ?? {})
      .filter(
        ([, r]) =>
          r.Type === 'AWS::SecretsManager::SecretTargetAttachment' &&
          referencedResource(r.Properties?.SecretId, template) === logicalId,
      )
      .map(([id]) => id);
    const viaAttachment = Object.entries(template.Resources ?? {}).filter(
      ([, r]) =>
        r.Type === 'AWS::SecretsManager::RotationSchedule' &&
        attachments.includes(referencedResource(r.Properties?.SecretId, template) ?? ''),
    );
    const all = [...schedules, ...viaAttachment];
    return [
      all.length > 0
        ? pass(`rotation schedule ${all.map(([id]) => id).join(', ')}`)
        : fail('no AWS::SecretsManager::RotationSchedule targets this secret'),
    ];
  },
};
