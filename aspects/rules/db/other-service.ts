import { PolicyRule, cannotVerify } from '../../rule';
import { OTHER_DATABASE_TYPES } from './services';

/**
 * SS-DB-001: the database runs on RDS, whose settings the kit's rules judge. A Lightsail, DocumentDB, Neptune,
 * Redshift, MemoryDB, Aurora DSQL or Timestream for InfluxDB database has none of them, so the gate cannot prove it
 * protected from deletion, encrypted with the team's key, backed up or highly available: prod refuses it unless a
 * review accepts it.
 */
export const otherDatabaseService: PolicyRule = {
  id: 'SS-DB-001',
  title: "Database runs on a service the kit's rules judge (RDS)",
  rationale:
    "The kit's rules prove deletion protection, Multi-AZ, encryption with a customer-managed key, backups and TLS on RDS; a database of another service has none of those settings to judge, so it is not proven compliant.",
  fix: "Run the database on RDS (rds.DatabaseInstance, rds.DatabaseCluster, or the kit's DatabasePlatform); otherwise acknowledge SS-DB-001 on it with the review of its deletion protection, encryption, backups and availability.",
  severity: { dev: 'off', staging: 'warning', prod: 'error' },
  unacknowledgeableIn: [],
  resourceTypes: OTHER_DATABASE_TYPES,
  evaluate: (resource) => [cannotVerify(`${resource.Type}: a database service the kit's rules do not judge`)],
};
