import { PolicyRule, cannotVerify, fail, pass, props } from '../../rule';
import { booleanOf, referencedResource } from '../../template';

/** SS-RDS-002: the database survives the loss of an Availability Zone. */
export const multiAz: PolicyRule = {
  id: 'SS-RDS-002',
  title: 'Database is Multi-AZ',
  rationale:
    'A standby in a second Availability Zone takes over within minutes when the primary or its zone fails; Single-AZ recovery is a restore from backup.',
  fix: 'Set multiAz: true on the DatabaseInstance, or give an Aurora cluster a reader in a second AZ (kit: -c multiAz=true).',
  severity: { dev: 'off', staging: 'warning', prod: 'error' },
  unacknowledgeableIn: ['prod'],
  resourceTypes: ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster'],
  evaluate(resource, { template, logicalId }) {
    const p = props(resource);
    if (resource.Type === 'AWS::RDS::DBInstance') {
      if (p.DBClusterIdentifier !== undefined) return [];
      const v = booleanOf(p.MultiAZ, template, false);
      if (!v.known) return [cannotVerify(`MultiAZ is ${v.why}`, 'Properties/MultiAZ')];
      return [
        v.value
          ? pass('MultiAZ=true', 'Properties/MultiAZ')
          : fail(`MultiAZ=${p.MultiAZ === undefined ? 'not set (false)' : 'false'}`, 'Properties/MultiAZ'),
      ];
    }
    // A Multi-AZ DB cluster (non-Aurora) declares its instance class on the cluster and always spans three AZs.
    if (p.DBClusterInstanceClass !== undefined) return [pass('Multi-AZ DB cluster (DBClusterInstanceClass set)')];
    // Aurora: count the instances of this cluster.
    const members = Object.values(template.Resources ?? {}).filter(
      (r) =>
        r.Type === 'AWS::RDS::DBInstance' &&
        referencedResource(r.Properties?.DBClusterIdentifier, template) === logicalId,
    );
    return [
      members.length >= 2
        ? pass(`${members.length} cluster instances`)
        : fail(
            `${members.length} cluster instance${members.length === 1 ? '' : 's'} (a writer and no reader in another AZ)`,
          ),
    ];
  },
};
