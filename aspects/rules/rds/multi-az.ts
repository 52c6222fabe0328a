import { PolicyRule, RuleContext, cannotVerify, clusterMembership, fail, pass, props } from '../../rule';
import { booleanOf, describe, numberOf, stringOf, unconditional, viaOf } from '../../template';
import { clusterEngineOf } from './source-database';

/** An Aurora cluster's instances: Multi-AZ only with two or more that always exist, not all pinned to one AZ. */
function auroraMembers(context: RuleContext) {
  const { resolver, logicalId } = context;
  const members = Object.entries(context.template.Resources ?? {}).filter(([, r]) => {
    if (r.Type !== 'AWS::RDS::DBInstance') return false;
    const c = resolver.resolve(r.Properties?.DBClusterIdentifier);
    return c.kind === 'resource' && c.logicalId === logicalId;
  });
  const always = members.filter(([, r]) => unconditional(r));
  const conditional = members.length - always.length;
  const note = conditional > 0 ? `; ${conditional} more only under a Condition, which may not exist` : '';
  if (always.length < 2) {
    return [
      fail(
        `${always.length} cluster instance${always.length === 1 ? '' : 's'} that always exist${always.length === 1 ? 's' : ''} (a writer and no reader in another AZ${note})`,
      ),
    ];
  }
  const zones: string[] = [];
  for (const [id, r] of always) {
    const az = stringOf(r.Properties?.AvailabilityZone, resolver);
    if (!az.known) return [cannotVerify(`AvailabilityZone of ${id} is ${az.why}`)];
    if (az.value !== undefined) zones.push(az.value);
  }
  if (zones.length === always.length && new Set(zones).size === 1) {
    return [fail(`${always.length} cluster instances, all pinned to ${zones[0]}${note}`)];
  }
  return [
    pass(
      `${always.length} cluster instances${zones.length ? ` in ${[...new Set(zones)].sort().join(', ')}` : ''}${note}`,
    ),
  ];
}

/** SS-RDS-002: the database survives the loss of an Availability Zone. */
export const multiAz: PolicyRule = {
  id: 'SS-RDS-002',
  title: 'Database is Multi-AZ',
  equivalents: ['AwsSolutions-RDS3', '*-RDSMultiAZSupport'],
  rationale:
    'A standby in a second Availability Zone takes over within minutes when the primary or its zone fails; Single-AZ recovery is a restore from backup.',
  fix: 'Set multiAz: true on the DatabaseInstance, give an Aurora cluster a reader in a second AZ, or a shard group ComputeRedundancy 1 or 2 (kit: -c multiAz=true).',
  severity: { dev: 'off', staging: 'warning', prod: 'error' },
  unacknowledgeableIn: ['prod'],
  resourceTypes: ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster', 'AWS::RDS::DBShardGroup'],
  evaluate(resource, context) {
    const p = props(resource);
    const { resolver } = context;
    if (resource.Type === 'AWS::RDS::DBShardGroup') {
      // An Aurora Limitless shard group: ComputeRedundancy 1 or 2 keeps standbys in other AZs; 0, the default, none.
      const where = 'Properties/ComputeRedundancy';
      const v = numberOf(p.ComputeRedundancy, resolver, 0);
      if (!v.known) return [cannotVerify(`ComputeRedundancy is ${v.why}`, where)];
      const found = `ComputeRedundancy=${v.value}${p.ComputeRedundancy === undefined ? ' (not set)' : ''}${viaOf(v)}`;
      return [v.value! >= 1 ? pass(found, where) : fail(found, where)];
    }
    if (resource.Type === 'AWS::RDS::DBInstance') {
      const member = clusterMembership(resource, context);
      if (member === 'here') return [];
      if (member !== 'none') return [member];
      const v = booleanOf(p.MultiAZ, resolver, false);
      if (!v.known) return [cannotVerify(`MultiAZ is ${v.why}`, 'Properties/MultiAZ')];
      return [
        v.value
          ? pass(`MultiAZ=true${viaOf(v)}`, 'Properties/MultiAZ')
          : fail(`MultiAZ=${p.MultiAZ === undefined ? 'not set (false)' : 'false'}${viaOf(v)}`, 'Properties/MultiAZ'),
      ];
    }
    // A restore without Engine takes its source's; a Multi-AZ DB cluster is known by its instance class even then.
    const engine = clusterEngineOf(p, resolver);
    if (!engine.known) return [cannotVerify(`Engine is ${engine.why}`, 'Properties/Engine')];
    if (!engine.aurora) {
      // A Multi-AZ DB cluster: a writer and two readers in three AZs, declared by its instance class.
      const name = engine.name ?? "not set (the source's)";
      if (p.DBClusterInstanceClass === undefined) {
        return [fail(`Engine=${name} cluster without DBClusterInstanceClass`, 'Properties/DBClusterInstanceClass')];
      }
      return [
        pass(`Multi-AZ DB cluster (Engine=${name}, DBClusterInstanceClass=${describe(p.DBClusterInstanceClass)})`),
      ];
    }
    return auroraMembers(context);
  },
};
