import type { Resolver } from '../../resolve';
import { PolicyRule, cannotVerify, fail, pass, props } from '../../rule';
import { booleanOf, describe, stringOf } from '../../template';
import {
  byReference,
  databasePorts,
  forwardedGroups,
  listenersByLoadBalancer,
  portOf,
  targetGroupPorts,
} from './database-ports';

/**
 * The principals the endpoint-service permissions of the app allow, by the service they name; `undefined` for one the
 * template does not fix.
 */
function permissionsByService(templates: readonly Resolver[]): ReadonlyMap<string, readonly (string | undefined)[]> {
  const placed = byReference(templates, 'AWS::EC2::VPCEndpointServicePermissions', 'ServiceId');
  return new Map(
    [...placed].map(([key, list]) => [
      key,
      list.flatMap(({ resource, resolver }) => {
        const principals = resource.Properties?.AllowedPrincipals;
        if (!Array.isArray(principals)) return [undefined];
        return principals.map((p) => {
          const s = stringOf(p, resolver);
          return s.known ? s.value : undefined;
        });
      }),
    ]),
  );
}

/** The database ports the listeners of a load balancer pass traffic to, and the ports the template does not fix. */
function databasePortsBehind(lb: { stack: string; logicalId: string }, resolver: Resolver) {
  const ports = resolver.appIndex('database-ports', databasePorts);
  const listeners =
    resolver.appIndex('elb-listeners', listenersByLoadBalancer).get(`${lb.stack} ${lb.logicalId}`) ?? [];
  const reached: string[] = [];
  const unknown: string[] = [];
  const note = (port: number | string, what: string) => {
    if (typeof port === 'string') unknown.push(`${what} port ${port}`);
    else if (ports.has(port)) reached.push(`${what} port ${port} (${ports.get(port)})`);
  };
  for (const { resource: listener, resolver: r } of listeners) {
    const p = props(listener);
    note(portOf(p.Port, r), 'listener');
    for (const arn of forwardedGroups(p.DefaultActions)) {
      const group = r.resolve(arn);
      if (group.kind !== 'resource') unknown.push(`target group ${describe(arn)}`);
      else for (const port of targetGroupPorts(props(group.resource), group.resolver)) note(port, group.logicalId);
    }
  }
  return { reached, unknown };
}

/**
 * SS-ELB-002: no VPC endpoint service (PrivateLink) lets every AWS account reach a database port without the owner
 * accepting each connection. An endpoint in another account reaches the Network Load Balancer behind the service,
 * whose nodes pass the traffic on from the VPC's own addresses, which the database group admits.
 */
export const noOpenEndpointService: PolicyRule = {
  id: 'SS-ELB-002',
  title: 'No endpoint service opens a database port to every AWS account',
  rationale:
    "A PrivateLink endpoint service whose permissions allow every principal (*) and accept connections without review lets any AWS account reach the load balancer behind it, and through it the database, from the VPC's own addresses.",
  fix: 'Allow only the accounts that need the service (AllowedPrincipals), and keep acceptanceRequired: true so each connection is approved.',
  severity: { dev: 'warning', staging: 'error', prod: 'error' },
  unacknowledgeableIn: ['prod'],
  resourceTypes: ['AWS::EC2::VPCEndpointService'],
  evaluate(resource, { resolver, logicalId }) {
    const p = props(resource);
    const where = 'Properties/AcceptanceRequired';
    // Who may connect without review decides whether the ports behind the service matter at all.
    const acceptance = booleanOf(p.AcceptanceRequired, resolver, false);
    if (!acceptance.known) return [cannotVerify(`AcceptanceRequired is ${acceptance.why}`, where)];
    if (acceptance.value) return [pass('AcceptanceRequired=true: each connection is approved', where)];
    const principals =
      resolver.appIndex('endpoint-permissions', permissionsByService).get(`${resolver.stack} ${logicalId}`) ?? [];
    const open = principals.some((x) => x === '*');
    if (!open && !principals.some((x) => x === undefined))
      return [pass(`allowed principals: ${principals.length > 0 ? principals.join(', ') : 'none'}`, where)];
    const who = open ? 'AllowedPrincipals *' : 'AllowedPrincipals the template does not fix';
    const accepted = `AcceptanceRequired=${describe(p.AcceptanceRequired ?? 'not set (false)')}`;

    const lbs = Array.isArray(p.NetworkLoadBalancerArns) ? p.NetworkLoadBalancerArns : [];
    const reached: string[] = [];
    const unknown: string[] = [];
    for (const arn of lbs) {
      const lb = resolver.resolve(arn);
      if (lb.kind !== 'resource') {
        unknown.push(`NetworkLoadBalancerArns has ${describe(arn)}, a load balancer outside the app`);
        continue;
      }
      const behind = databasePortsBehind(lb, resolver);
      reached.push(...behind.reached);
      unknown.push(...behind.unknown.map((u) => `${lb.logicalId} ${u}`));
    }
    if (reached.length > 0) {
      const found = `reaches ${reached.join(', ')}; ${who} with ${accepted}`;
      return [open ? fail(found, where) : cannotVerify(found, where)];
    }
    if (unknown.length > 0) return unknown.map((u) => cannotVerify(`${who} with ${accepted}; ${u}`, where));
    return [pass(`${who} with ${accepted}, but forwards to no database port`, where)];
  },
};
