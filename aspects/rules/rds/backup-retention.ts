import { PolicyRule, cannotVerify, clusterMembership, fail, pass, props } from '../../rule';
import { numberOf, viaOf } from '../../template';

/** CloudFormation's default when BackupRetentionPeriod is not set. */
const CFN_DEFAULT_RETENTION_DAYS = 1;

/** SS-RDS-006: enough automated backups to recover from a bad change found late. */
export const backupRetention: PolicyRule = {
  id: 'SS-RDS-006',
  title: "Backup retention meets the environment's minimum",
  rationale:
    'Automated backups and point-in-time recovery only reach back as far as the retention period; a corruption noticed after it is unrecoverable.',
  fix: 'Raise backupRetention on the database to at least the minimum (kit: -c backupRetentionDays=N).',
  severity: { dev: 'warning', staging: 'error', prod: 'error' },
  unacknowledgeableIn: [],
  resourceTypes: ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster'],
  evaluate(resource, context) {
    const { resolver, minBackupRetentionDays } = context;
    const member = clusterMembership(resource, context);
    if (member === 'here') return [];
    if (member !== 'none') return [member];
    const p = props(resource);
    // A read replica of an instance of this template: the source's backups protect the data.
    if (resource.Type === 'AWS::RDS::DBInstance' && p.SourceDBInstanceIdentifier !== undefined) {
      const source = resolver.resolve(p.SourceDBInstanceIdentifier);
      if (source.kind === 'resource' && source.type === 'AWS::RDS::DBInstance') return [];
    }
    const where = 'Properties/BackupRetentionPeriod';
    const days = numberOf(p.BackupRetentionPeriod, resolver, CFN_DEFAULT_RETENTION_DAYS);
    if (!days.known) return [cannotVerify(`BackupRetentionPeriod is ${days.why}`, where)];
    const found = `BackupRetentionPeriod=${days.value}${p.BackupRetentionPeriod === undefined ? ' (default)' : ''}${viaOf(days)}`;
    return [
      days.value! >= minBackupRetentionDays
        ? pass(`${found}, minimum ${minBackupRetentionDays}`, where)
        : fail(`${found}, minimum ${minBackupRetentionDays}`, where),
    ];
  },
};
