import { classifyKey, keyOutcome } from '../../kms';
import { PolicyRule, cannotVerify, props } from '../../rule';
import { describe, stringOf } from '../../template';

/**
 * SS-RDS-013: automated backups replicated to another Region (`AutomaticBackupReplicationRegion`) are a full copy of the
 * database there, encrypted with the key `AutomaticBackupReplicationKmsKeyId` names in that Region (RDS API reference,
 * StartDBInstanceAutomatedBackupsReplication). A key of another Region is never one of this template's, so it can be
 * proven customer-managed only by review.
 */
export const backupReplicationKey: PolicyRule = {
  id: 'SS-RDS-013',
  title: 'Backups replicated to another Region are encrypted with a customer-managed KMS key',
  rationale:
    'Cross-Region automated backups copy every snapshot and transaction log to another Region, where only the key named for them protects the data; the AWS-managed aws/rds key of that Region cannot be restricted.',
  fix: "Set AutomaticBackupReplicationKmsKeyId to a customer-managed key of the destination Region (a kms.Key or multi-Region replica key there), and acknowledge SS-RDS-013 with that key's owner once reviewed; or leave AutomaticBackupReplicationRegion unset.",
  severity: { dev: 'warning', staging: 'error', prod: 'error' },
  unacknowledgeableIn: [],
  resourceTypes: ['AWS::RDS::DBInstance'],
  evaluate(resource, { resolver }) {
    const p = props(resource);
    if (p.AutomaticBackupReplicationRegion === undefined) return [];
    const region = stringOf(p.AutomaticBackupReplicationRegion, resolver);
    const to = region.known ? region.value : describe(p.AutomaticBackupReplicationRegion);
    const where = 'Properties/AutomaticBackupReplicationKmsKeyId';
    if (p.AutomaticBackupReplicationKmsKeyId === undefined) {
      return [
        cannotVerify(
          `AutomaticBackupReplicationRegion=${to}, AutomaticBackupReplicationKmsKeyId not set: RDS picks the key of the copy`,
          where,
        ),
      ];
    }
    const key = classifyKey(
      'AutomaticBackupReplicationKmsKeyId',
      p.AutomaticBackupReplicationKmsKeyId,
      resolver,
      'aws/rds',
    );
    return [keyOutcome(key, where, `AutomaticBackupReplicationRegion=${to}, `)];
  },
};
