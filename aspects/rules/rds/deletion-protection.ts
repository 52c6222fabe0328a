import { PolicyRule, cannotVerify, clusterMembership, fail, pass, props } from '../../rule';
import { booleanOf, viaOf } from '../../template';

/** SS-RDS-001: a database cannot be deleted by a stack update or a mistaken API call. */
export const deletionProtection: PolicyRule = {
  id: 'SS-RDS-001',
  title: 'Database deletion protection is on',
  equivalents: ['AwsSolutions-RDS10', '*-RDSInstanceDeletionProtectionEnabled'],
  rationale:
    'Deletion protection stops a stack update, a replacement or a mistaken API call from deleting the database and its automated backups.',
  fix: 'Set deletionProtection: true on the DatabaseInstance/DatabaseCluster (kit: -c deletionProtection=true).',
  severity: { dev: 'off', staging: 'warning', prod: 'error' },
  unacknowledgeableIn: ['prod'],
  // A global database is deleted apart from its member clusters, and CloudFormation's default leaves it unprotected.
  resourceTypes: ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster', 'AWS::RDS::GlobalCluster'],
  evaluate(resource, context) {
    // An instance in a cluster is protected by its cluster's setting.
    const member = clusterMembership(resource, context);
    if (member === 'here') return [];
    if (member !== 'none') return [member];
    const p = props(resource);
    const v = booleanOf(p.DeletionProtection, context.resolver, false);
    const where = 'Properties/DeletionProtection';
    if (!v.known) return [cannotVerify(`DeletionProtection is ${v.why}`, where)];
    return [
      v.value
        ? pass(`DeletionProtection=true${viaOf(v)}`, where)
        : fail(
            `DeletionProtection=${p.DeletionProtection === undefined ? 'not set (false)' : 'false'}${viaOf(v)}`,
            where,
          ),
    ];
  },
};
