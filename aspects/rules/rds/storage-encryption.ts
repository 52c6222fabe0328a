import { classifyKey, keyOutcome } from '../../kms';
import type { Resolver } from '../../resolve';
import { PolicyRule, RuleOutcome, cannotVerify, clusterMembership, fail, pass, props } from '../../rule';
import { booleanOf, describe, viaOf } from '../../template';
import { sourceDatabaseOf } from './source-database';

/**
 * What a DB instance is restored or replicated from. CloudFormation's reference says not to set StorageEncrypted with
 * them ("the value is inherited from the snapshot or source DB instance"), and the restore call takes no key: the
 * instance is encrypted as its source is, whatever the template says.
 */
const INSTANCE_SOURCES = [
  'DBSnapshotIdentifier',
  // A Multi-AZ DB cluster snapshot restored as a single instance: the restore takes the snapshot's encryption too.
  'DBClusterSnapshotIdentifier',
  'SourceDBInstanceIdentifier',
  'SourceDBInstanceAutomatedBackupsArn',
  'SourceDbiResourceId',
  'SourceDBClusterIdentifier',
] as const;

/** A source of the app is judged on its own; one outside it (a snapshot, an ARN) cannot be verified. */
function inheritedEncryption(key: string, value: unknown, resolver: Resolver): RuleOutcome {
  const where = `Properties/${key}`;
  const database = sourceDatabaseOf(value, resolver);
  if (database) return pass(`${key}=${database.named}: encrypted as that database is, judged on its own`, where);
  const source = resolver.resolve(value);
  return cannotVerify(
    `${key}=${describe(source.kind === 'literal' ? source.value : value)}: encrypted as that source is, whatever StorageEncrypted and KmsKeyId say`,
    where,
  );
}

/**
 * A global database is encrypted as the cluster it is created from (`SourceDBClusterIdentifier`, whose encryption it
 * inherits), else as its own `StorageEncrypted` says, false when unset; the clusters that join it must match it. It has
 * no key of its own: each member cluster names its key in its Region, and is judged on it.
 */
function globalClusterEncryption(p: Record<string, unknown>, resolver: Resolver): RuleOutcome {
  if (p.SourceDBClusterIdentifier !== undefined) {
    return inheritedEncryption('SourceDBClusterIdentifier', p.SourceDBClusterIdentifier, resolver);
  }
  const where = 'Properties/StorageEncrypted';
  const encrypted = booleanOf(p.StorageEncrypted, resolver, false);
  if (!encrypted.known) return cannotVerify(`StorageEncrypted is ${encrypted.why}`, where);
  return encrypted.value
    ? pass(`StorageEncrypted=true${viaOf(encrypted)}: each member cluster's key is judged on that cluster`, where)
    : fail(
        `StorageEncrypted=${p.StorageEncrypted === undefined ? 'not set (false)' : 'false'}${viaOf(encrypted)}`,
        where,
      );
}

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
  resourceTypes: ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster', 'AWS::RDS::GlobalCluster'],
  evaluate(resource, context) {
    const { resolver } = context;
    if (resource.Type === 'AWS::RDS::GlobalCluster') return [globalClusterEncryption(props(resource), resolver)];
    const member = clusterMembership(resource, context);
    if (member === 'here') return [];
    if (member !== 'none') return [member];
    const p = props(resource);
    if (resource.Type === 'AWS::RDS::DBInstance') {
      // A restored snapshot or a replica takes its source's encryption: RDS ignores StorageEncrypted and KmsKeyId.
      const inherited = INSTANCE_SOURCES.find((key) => p[key] !== undefined);
      if (inherited) return [inheritedEncryption(inherited, p[inherited], resolver)];
    }
    const encrypted = booleanOf(p.StorageEncrypted, resolver);
    if (!encrypted.known) return [cannotVerify(`StorageEncrypted is ${encrypted.why}`, 'Properties/StorageEncrypted')];
    if (encrypted.value === undefined) {
      // A restored snapshot or a replica inherits its source's encryption, which the template does not show.
      for (const inherits of ['SnapshotIdentifier', 'SourceDBClusterIdentifier']) {
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
