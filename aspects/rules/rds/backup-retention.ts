import { PolicyRule, cannotVerify, clusterMembership, fail, pass, props } from '../../rule';
import { numberOf, viaOf } from '../../template';
import { sourceDatabaseOf } from './source-database';

/**
 * Properties that make an instance naming `SourceDBInstanceIdentifier` a point-in-time restore (a new, writable
 * database) rather than a read replica: CloudFormation restores when either is set.
 */
const POINT_IN_TIME = ['RestoreTime', 'UseLatestRestorableTime'] as const;

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
    // A read replica of an instance of this template: the source's backups protect the data. A point-in-time restore
    // names its source the same way but is a database of its own, whose backups are its own.
    if (
      resource.Type === 'AWS::RDS::DBInstance' &&
      p.SourceDBInstanceIdentifier !== undefined &&
      !POINT_IN_TIME.some((key) => p[key] !== undefined)
    ) {
      if (sourceDatabaseOf(p.SourceDBInstanceIdentifier, resolver)?.type === 'AWS::RDS::DBInstance') return [];
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
