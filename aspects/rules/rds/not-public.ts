import { PolicyRule, cannotVerify, fail, pass, props } from '../../rule';
import { booleanOf, viaOf } from '../../template';
import { clusterEngineOf } from './source-database';

/** SS-RDS-004: the database has no public address. */
export const notPubliclyAccessible: PolicyRule = {
  id: 'SS-RDS-004',
  title: 'Database is not publicly accessible',
  equivalents: ['*-RDSInstancePublicAccess'],
  rationale:
    'A publicly accessible instance gets a public DNS answer and address; one security-group mistake then exposes it to the internet.',
  fix: 'Set publiclyAccessible: false on the database (instance, Multi-AZ DB cluster or Aurora Limitless shard group) and place it in private subnets.',
  severity: { dev: 'error', staging: 'error', prod: 'error' },
  unacknowledgeableIn: ['prod'],
  resourceTypes: ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster', 'AWS::RDS::DBShardGroup'],
  evaluate(resource, { resolver }) {
    const p = props(resource);
    if (resource.Type === 'AWS::RDS::DBCluster') {
      // Aurora clusters have no address of their own: their instances carry PubliclyAccessible and are judged.
      // A restore without Engine takes its source's.
      const engine = clusterEngineOf(p, resolver);
      if (!engine.known) return [cannotVerify(`Engine is ${engine.why}`, 'Properties/Engine')];
      if (engine.aurora) return [];
    }
    const where = 'Properties/PubliclyAccessible';
    if (p.PubliclyAccessible === undefined) {
      // CloudFormation's default depends on the subnets: public ones make the database public.
      return [cannotVerify('PubliclyAccessible not set: its default depends on the subnet group', where)];
    }
    const v = booleanOf(p.PubliclyAccessible, resolver);
    if (!v.known) return [cannotVerify(`PubliclyAccessible is ${v.why}`, where)];
    return [
      v.value ? fail(`PubliclyAccessible=true${viaOf(v)}`, where) : pass(`PubliclyAccessible=false${viaOf(v)}`, where),
    ];
  },
};
