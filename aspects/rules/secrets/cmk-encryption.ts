import { PolicyRule, cannotVerify, fail, pass, props } from '../../rule';
import { describe, stringOf, unresolvable } from '../../template';

/** SS-SM-001: secrets are encrypted with a customer-managed key. */
export const secretEncryption: PolicyRule = {
  id: 'SS-SM-001',
  title: 'Secrets are encrypted with a customer-managed KMS key',
  rationale:
    'With a customer-managed key, reading a secret needs both Secrets Manager and KMS permissions the team grants, and every decryption is logged against that key.',
  fix: 'Pass encryptionKey: <your kms.Key> to the Secret (or to Credentials.fromGeneratedSecret).',
  severity: { dev: 'error', staging: 'error', prod: 'error' },
  unacknowledgeableIn: ['prod'],
  resourceTypes: ['AWS::SecretsManager::Secret'],
  evaluate(resource, { template }) {
    const p = props(resource);
    const where = 'Properties/KmsKeyId';
    if (p.KmsKeyId === undefined) return [fail('KmsKeyId not set (aws/secretsmanager key)', where)];
    const why = unresolvable(p.KmsKeyId, template);
    if (why) return [cannotVerify(`KmsKeyId is ${why}`, where)];
    const key = stringOf(p.KmsKeyId, template);
    if (key.known && key.value && /alias\/aws\/secretsmanager/.test(key.value))
      return [fail(`KmsKeyId=${key.value} (AWS-managed)`, where)];
    return [pass(`KmsKeyId=${describe(p.KmsKeyId)}`, where)];
  },
};
