import { classifyKey, keyOutcome } from '../../kms';
import { PolicyRule, props } from '../../rule';

/** SS-SM-001: secrets are encrypted with a customer-managed key. */
export const secretEncryption: PolicyRule = {
  id: 'SS-SM-001',
  title: 'Secrets are encrypted with a customer-managed KMS key',
  equivalents: ['*-SecretsManagerUsingKMSKey'],
  rationale:
    'With a customer-managed key, reading a secret needs both Secrets Manager and KMS permissions the team grants, and every decryption is logged against that key.',
  fix: 'Pass encryptionKey: <your kms.Key> to the Secret (or to Credentials.fromGeneratedSecret).',
  severity: { dev: 'error', staging: 'error', prod: 'error' },
  unacknowledgeableIn: ['prod'],
  resourceTypes: ['AWS::SecretsManager::Secret'],
  evaluate(resource, { resolver }) {
    const key = classifyKey('KmsKeyId', props(resource).KmsKeyId, resolver, 'aws/secretsmanager');
    const where = 'Properties/KmsKeyId';
    return [keyOutcome(key, where)];
  },
};
