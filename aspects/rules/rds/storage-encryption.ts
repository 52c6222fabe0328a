import { classifyKey, keyOutcome } from '../../kms';
import { PolicyRule, cannotVerify, clusterMembership, fail, props } from '../../rule';
import { booleanOf, viaOf } from '../../template';

/** SS-RDS-003: data at rest is encrypted with a key the team controls. */
export const storageEncryption: PolicyRule = {
  id: 'SS-RDS-003',
  title: 'Database storage is encrypted with a customer-managed KMS key',
  equivalents: ['AwsSolutions-RDS2', '*-RDSStorageEncrypted'],
  rationale:
    'A customer-managed key makes every read of the data, its snapshots and its replicas subject to a key policy the team controls and CloudTrail records; the AWS-managed key cannot be restricted or shared.',
  fix: 'Set storageEncrypted: true and storageEncryptionKey: <your kms.Key> on the database.',
  severity: { dev: 'error', staging: 'error', prod: 'error' },
  unacknowledgeableIn: ['prod'],
  resourceTypes: ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster'],
  evaluate(resource, context) {
    const { resolver } = context;
    const member = clusterMembership(resource, context);
    if (member === 'here') return [];
    if (member !== 'none') return [member];
    const p = props(resource);
    const encrypted = booleanOf(p.StorageEncrypted, resolver);
    if (!encrypted.known) return [cannotVerify(`StorageEncrypted is ${encrypted.why}`, 'Properties/StorageEncrypted')];
    if (encrypted.value === undefined) {
      // A restored snapshot or a replica inherits its source's encryption, which the template does not show.
      for (const inherits of [
        'DBSnapshotIdentifier',
        'SourceDBInstanceIdentifier',
        'SnapshotIdentifier',
        'SourceDBClusterIdentifier',
      ]) {
        if (p[inherits] !== undefined) {
          return [
            cannotVerify(
              `StorageEncrypted not set: ${inherits} inherits the source's encryption`,
              'Properties/StorageEncrypted',
            ),
          ];
        }
      }
      // KmsKeyId alone does not turn encryption on: it is not taken as proof.
      return [
        fail(
          `StorageEncrypted not set (false)${p.KmsKeyId !== undefined ? ', though KmsKeyId is set' : ''}`,
          'Properties/StorageEncrypted',
        ),
      ];
    }
    if (!encrypted.value) return [fail(`StorageEncrypted=false${viaOf(encrypted)}`, 'Properties/StorageEncrypted')];
    const key = classifyKey('KmsKeyId', p.KmsKeyId, resolver, 'aws/rds');
    const where = 'Properties/KmsKeyId';
    return [keyOutcome(key, where, 'StorageEncrypted=true, ')];
  },
};
