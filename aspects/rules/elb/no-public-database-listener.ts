import type { Resolver } from '../../resolve';
import { PolicyRule, RuleOutcome, cannotVerify, fail, judgedIn, judgingEnvironment, pass, props } from '../../rule';
import { describe, numberOf, stringOf } from '../../template';
import { databasePorts, forwardedGroups, NETWORK_PROTOCOLS, portOf, targetGroupPorts } from './database-ports';

/** Whether a load balancer answers the internet: CloudFormation makes one internet-facing unless `Scheme` says not. */
function scheme(lb: Record<string, unknown>, resolver: Resolver): { internal: boolean } | RuleOutcome {
  const s = stringOf(lb.Scheme, resolver);
  if (!s.known) return cannotVerify(`the load balancer's Scheme is ${s.why}`, 'Properties');
  return { internal: s.value === 'internal' };
}

/**
 * SS-ELB-001: no internet-facing load balancer listens on, or forwards to, a database port. A Network Load Balancer's
 * nodes have public addresses, and the traffic they pass on to an IP target comes from their own private addresses:
 * a database group that admits only the VPC's range admits the whole internet through it. A Global Accelerator
 * listener answers the internet on its static addresses whatever endpoint (an internal load balancer, an instance)
 * it forwards to.
 */
export const noPublicDatabaseListener: PolicyRule = {
  id: 'SS-ELB-001',
  title: 'No internet-facing load balancer or accelerator listens on or forwards to a database port',
  rationale:
    "An internet-facing Network Load Balancer passes TCP from anywhere to its targets from its own private addresses, so the database's security group, which admits the VPC's range, admits the internet through it; a Global Accelerator does the same in front of an internal one.",
  fix: 'Make the load balancer internal (internetFacing: false, Scheme: internal), put no accelerator in front of it, and reach the database from inside the VPC, through a VPN or with npm run dev-access.',
  severity: { dev: 'warning', staging: 'error', prod: 'error' },
  unacknowledgeableIn: ['prod'],
  resourceTypes: [
    'AWS::ElasticLoadBalancingV2::Listener',
    'AWS::ElasticLoadBalancing::LoadBalancer',
    'AWS::GlobalAccelerator::Listener',
  ],
  evaluate(resource, context) {
    const { resolver } = context;
    const p = props(resource);
    const ports = resolver.appIndex('database-ports', databasePorts);
    const judgePorts = (found: (number | string)[], what: string, where: string): RuleOutcome[] =>
      found.map((port) =>
        typeof port === 'string'
          ? cannotVerify(`${what} port is ${port}`, where)
          : ports.has(port)
            ? fail(`internet-facing: ${what} port ${port} (${ports.get(port)})`, where)
            : pass(`internet-facing: ${what} port ${port}, no database's`, where),
      );

    if (resource.Type === 'AWS::GlobalAccelerator::Listener') {
      // An accelerator's listener answers the internet on its static addresses, in front of internal endpoints too.
      const ranges = Array.isArray(p.PortRanges) ? (p.PortRanges as Record<string, unknown>[]) : undefined;
      if (!ranges) return [cannotVerify(`PortRanges is ${describe(p.PortRanges)}`, 'Properties/PortRanges')];
      return ranges.map((range, i) => {
        const where = `Properties/PortRanges/${i}`;
        const from = numberOf(range?.FromPort, resolver);
        const to = numberOf(range?.ToPort, resolver);
        if (!from.known || !to.known || from.value === undefined || to.value === undefined)
          return cannotVerify(`port range ${describe(range)}`, where);
        const hit = [...ports.keys()].find((port) => port >= from.value! && port <= to.value!);
        return hit === undefined
          ? pass(`accelerator: ports ${from.value}-${to.value}, no database's`, where)
          : fail(`accelerator: ports ${from.value}-${to.value} include ${hit} (${ports.get(hit)})`, where);
      });
    }

    if (resource.Type === 'AWS::ElasticLoadBalancing::LoadBalancer') {
      const s = scheme(p, resolver);
      if ('status' in s) return [s];
      if (s.internal) return [pass('Scheme=internal', 'Properties/Scheme')];
      const listeners = Array.isArray(p.Listeners) ? (p.Listeners as Record<string, unknown>[]) : [];
      return listeners.flatMap((l, i) =>
        judgePorts(
          [l?.LoadBalancerPort, l?.InstancePort].map((v) => portOf(v, resolver)),
          `listener ${i}`,
          `Properties/Listeners/${i}`,
        ),
      );
    }

    const protocol = stringOf(p.Protocol, resolver);
    // HTTP and HTTPS listeners belong to Application Load Balancers, which speak no database's protocol.
    if (protocol.known && protocol.value !== undefined && !NETWORK_PROTOCOLS.test(protocol.value)) return [];
    const lb = resolver.resolve(p.LoadBalancerArn);
    if (lb.kind !== 'resource' || lb.type !== 'AWS::ElasticLoadBalancingV2::LoadBalancer') {
      return [
        cannotVerify(
          `LoadBalancerArn=${describe(p.LoadBalancerArn)}: a load balancer outside the app`,
          'Properties/LoadBalancerArn',
        ),
      ];
    }
    // A Gateway Load Balancer has no scheme and no ports: it passes traffic to appliances, not to a service.
    const type = stringOf(props(lb.resource).Type, lb.resolver);
    if (type.known && type.value === 'gateway') return [];
    const s = scheme(props(lb.resource), lb.resolver);
    if ('status' in s) return [s];
    if (s.internal) return [pass(`${lb.logicalId} Scheme=internal`, 'Properties/LoadBalancerArn')];
    const outcomes = judgePorts([portOf(p.Port, resolver)], `${lb.logicalId} listener`, 'Properties/Port');
    for (const arn of forwardedGroups(p.DefaultActions)) {
      const group = resolver.resolve(arn);
      if (group.kind !== 'resource' || group.type !== 'AWS::ElasticLoadBalancingV2::TargetGroup') {
        outcomes.push(
          cannotVerify(`forwards to ${describe(arn)}: a target group outside the app`, 'Properties/DefaultActions'),
        );
        continue;
      }
      outcomes.push(
        ...judgePorts(
          targetGroupPorts(props(group.resource), group.resolver),
          `${lb.logicalId} forwards to ${group.logicalId}`,
          'Properties/DefaultActions',
        ),
      );
    }
    // A listener in one stack opens the load balancer of another: a stricter stack judges it as it judges its own.
    return judgedIn(outcomes, judgingEnvironment(context, lb.resolver), context, `on ${lb.logicalId}`);
  },
};
