import { classifyKey, keyOutcome } from '../../kms';
import { PolicyRule, cannotVerify, clusterMembership, props } from '../../rule';
import { booleanOf } from '../../template';

/** SS-SM-001: secrets are encrypted with a customer-managed key. */
export const secretEncryption: PolicyRule = {
  id: 'SS-SM-001',
  title: 'Secrets are encrypted with a customer-managed KMS key',
  equivalents: ['*-SecretsManagerUsingKMSKey'],
  rationale:
    'With a customer-managed key, reading a secret needs both Secrets Manager and KMS permissions the team grants, and every decryption is logged against that key.',
  fix: 'Pass encryptionKey: <your kms.Key> to the Secret (or to Credentials.fromGeneratedSecret); for a password RDS manages, set MasterUserSecret.KmsKeyId to that key.',
  severity: { dev: 'error', staging: 'error', prod: 'error' },
  unacknowledgeableIn: ['prod'],
  resourceTypes: ['AWS::SecretsManager::Secret', 'AWS::RDS::DBInstance', 'AWS::RDS::DBCluster'],
  evaluate(resource, context) {
    const { resolver } = context;
    const p = props(resource);
    if (resource.Type === 'AWS::SecretsManager::Secret') {
      return [keyOutcome(classifyKey('KmsKeyId', p.KmsKeyId, resolver, 'aws/secretsmanager'), 'Properties/KmsKeyId')];
    }
    // A database whose master password RDS manages keeps it in a secret of its own, under MasterUserSecret's key.
    if (clusterMembership(resource, context) !== 'none') return [];
    const managed = booleanOf(p.ManageMasterUserPassword, resolver, false);
    if (!managed.known)
      return [cannotVerify(`ManageMasterUserPassword is ${managed.why}`, 'Properties/ManageMasterUserPassword')];
    if (!managed.value) return [];
    const secret = p.MasterUserSecret as Record<string, unknown> | undefined;
    const key = classifyKey('MasterUserSecret.KmsKeyId', secret?.KmsKeyId, resolver, 'aws/secretsmanager');
    return [keyOutcome(key, 'Properties/MasterUserSecret/KmsKeyId', 'the RDS-managed master secret: ')];
  },
};
