import { PolicyRule, cannotVerify, fail, pass, props } from '../../rule';
import { booleanOf, viaOf } from '../../template';
import { PUBLIC_ENDPOINT } from './services';

/**
 * SS-DB-002: a database of another service (see SS-DB-001) has no public endpoint. An acknowledgement of SS-DB-001
 * accepts a reviewed service; it never accepts one reachable from the internet, as prod never accepts a public RDS
 * database (SS-RDS-004).
 */
export const otherDatabaseNotPublic: PolicyRule = {
  id: 'SS-DB-002',
  title: 'Database of another service is not publicly accessible',
  equivalents: ['AwsSolutions-RS8', '*-RedshiftClusterPublicAccess'],
  rationale: 'A public endpoint answers the whole internet: only a password or a token stands between it and the data.',
  fix: 'Set PubliclyAccessible (Neptune Analytics: PublicConnectivity) to false explicitly, and reach the database from inside the VPC.',
  severity: { dev: 'error', staging: 'error', prod: 'error' },
  unacknowledgeableIn: ['prod'],
  resourceTypes: Object.keys(PUBLIC_ENDPOINT),
  evaluate(resource, { resolver }) {
    const { property, default: fallback } = PUBLIC_ENDPOINT[resource.Type];
    const where = `Properties/${property}`;
    const value = props(resource)[property];
    if (value === undefined && fallback === undefined)
      return [cannotVerify(`${property} not set: CloudFormation documents no default`, where)];
    const v = booleanOf(value, resolver, fallback);
    if (!v.known) return [cannotVerify(`${property} is ${v.why}`, where)];
    const found = `${property}=${v.value}${value === undefined ? ' (not set)' : ''}${viaOf(v)}`;
    return [v.value ? fail(found, where) : pass(found, where)];
  },
};
