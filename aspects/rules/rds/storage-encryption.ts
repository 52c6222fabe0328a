import { PolicyRule, cannotVerify, fail, pass, props } from '../../rule';
import { booleanOf, describe, stringOf, unresolvable } from '../../template';

/** AWS-managed keys for RDS, named by alias or left out. */
const AWS_MANAGED = /alias\/aws\//;

/** SS-RDS-003: data at rest is encrypted with a key the team controls. */
export const storageEncryption: PolicyRule = {
  id: 'SS-RDS-003',
  title: 'Database storage is encrypted with a customer-managed KMS key',
  rationale:
    'A customer-managed key makes every read of the data, its snapshots and its replicas subject to a key policy the team controls and CloudTrail records; the AWS-managed key cannot be restricted or shared.',
  fix: 'Set storageEncrypted: true and storageEncryptionKey: <your kms.Key> on the database.',
  severity: { dev: 'error', staging: 'error', prod: 'error' },
  unacknowledgeableIn: ['prod'],
  resourceTypes: ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster'],
  evaluate(resource, { template }) {
    const p = props(resource);
    if (resource.Type === 'AWS::RDS::DBInstance' && p.DBClusterIdentifier !== undefined) return [];
    // Restored or replicated instances inherit the source's encryption; the key must still be ours.
    const encrypted = booleanOf(p.StorageEncrypted, template, p.KmsKeyId !== undefined);
    if (!encrypted.known) return [cannotVerify(`StorageEncrypted is ${encrypted.why}`, 'Properties/StorageEncrypted')];
    if (!encrypted.value) return [fail('StorageEncrypted=false', 'Properties/StorageEncrypted')];
    if (p.KmsKeyId === undefined)
      return [fail('StorageEncrypted=true with the AWS-managed key (KmsKeyId not set)', 'Properties/KmsKeyId')];
    const why = unresolvable(p.KmsKeyId, template);
    if (why) return [cannotVerify(`KmsKeyId is ${why}`, 'Properties/KmsKeyId')];
    const key = stringOf(p.KmsKeyId, template);
    if (key.known && key.value && AWS_MANAGED.test(key.value))
      return [fail(`KmsKeyId=${key.value} (AWS-managed)`, 'Properties/KmsKeyId')];
    return [pass(`StorageEncrypted=true, KmsKeyId=${describe(p.KmsKeyId)}`, 'Properties/KmsKeyId')];
  },
};
