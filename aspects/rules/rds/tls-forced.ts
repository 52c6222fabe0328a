import { PolicyRule, cannotVerify, fail, pass, props } from '../../rule';
import { describe, numberOf, referencedResource, stringOf } from '../../template';

/** PostgreSQL majors whose default RDS parameter group already sets rds.force_ssl=1. */
const FORCE_SSL_BY_DEFAULT_FROM_MAJOR = 15;

/** SS-RDS-005: PostgreSQL refuses connections that are not TLS. */
export const tlsForced: PolicyRule = {
  id: 'SS-RDS-005',
  title: 'TLS is forced by the DB parameter group',
  rationale:
    'rds.force_ssl=1 makes the server refuse unencrypted connections, so credentials and data never cross the network in clear text, whatever a client asks for.',
  fix: "Use a parameter group with parameters { 'rds.force_ssl': '1' } on the database.",
  severity: { dev: 'error', staging: 'error', prod: 'error' },
  unacknowledgeableIn: [],
  resourceTypes: ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster'],
  evaluate(resource, { template }) {
    const p = props(resource);
    const engine = stringOf(p.Engine, template);
    if (!engine.known) return [cannotVerify(`Engine is ${engine.why}`, 'Properties/Engine')];
    if (!engine.value || !/postgres/i.test(engine.value)) return [];
    const isCluster = resource.Type === 'AWS::RDS::DBCluster';
    if (!isCluster && p.DBClusterIdentifier !== undefined) return [];
    const key = isCluster ? 'DBClusterParameterGroupName' : 'DBParameterGroupName';
    const groupType = isCluster ? 'AWS::RDS::DBClusterParameterGroup' : 'AWS::RDS::DBParameterGroup';
    const where = `Properties/${key}`;
    const groupRef = p[key];
    if (groupRef === undefined) {
      const version = stringOf(p.EngineVersion, template);
      const major = version.known && version.value ? Number(version.value.split('.')[0]) : NaN;
      if (major >= FORCE_SSL_BY_DEFAULT_FROM_MAJOR)
        return [pass(`default parameter group of PostgreSQL ${major} (rds.force_ssl=1)`, where)];
      return [fail(`${key} not set: the default parameter group of this engine version does not force TLS`, where)];
    }
    const groupId = referencedResource(groupRef, template);
    if (!groupId) return [cannotVerify(`${key}=${describe(groupRef)} is not defined in this template`, where)];
    const group = template.Resources![groupId];
    if (group.Type !== groupType) return [cannotVerify(`${key} points at ${group.Type}`, where)];
    const value = (group.Properties?.Parameters as Record<string, unknown> | undefined)?.['rds.force_ssl'];
    const n = numberOf(value, template);
    if (!n.known) return [cannotVerify(`rds.force_ssl in ${groupId} is ${n.why}`, where)];
    return [
      n.value === 1
        ? pass(`rds.force_ssl=1 in ${groupId}`, where)
        : fail(`rds.force_ssl=${describe(value)} in ${groupId}`, where),
    ];
  },
};
