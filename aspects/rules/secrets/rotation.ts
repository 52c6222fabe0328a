import { PolicyRule, fail, pass } from '../../rule';
import { referencedResource, resourcesOfType } from '../../template';

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
    // Resources of `type` whose SecretId points at `target`.
    const pointingAt = (type: string, target: string) =>
      resourcesOfType(template, type)
        .filter(([, p]) => referencedResource(p.SecretId, template) === target)
        .map(([id]) => id);
    // A SecretTargetAttachment's Ref is the secret's ARN too: a schedule may point at the attachment.
    const targets = [logicalId, ...pointingAt('AWS::SecretsManager::SecretTargetAttachment', logicalId)];
    const schedules = targets.flatMap((t) => pointingAt('AWS::SecretsManager::RotationSchedule', t));
    return [
      schedules.length > 0
        ? pass(`rotation schedule ${schedules.join(', ')}`)
        : fail('no AWS::SecretsManager::RotationSchedule targets this secret'),
    ];
  },
};
