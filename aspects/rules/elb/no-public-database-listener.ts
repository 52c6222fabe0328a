import { stricterEnvironment } from '../../environment';
import type { Resolver } from '../../resolve';
import { PolicyRule, RuleOutcome, cannotVerify, fail, pass, props } from '../../rule';
import { describe, numberOf, stringOf } from '../../template';
import { OTHER_DATABASE_TYPES } from '../db/services';

/** The ports database engines listen on by default. */
const ENGINE_PORTS: Readonly<Record<number, string>> = {
  5432: 'PostgreSQL',
  3306: 'MySQL and MariaDB',
  1433: 'SQL Server',
  1521: 'Oracle',
  50000: 'Db2',
  27017: 'DocumentDB',
  8182: 'Neptune',
  5439: 'Redshift',
  6379: 'MemoryDB',
};

/** Listener protocols of a Network Load Balancer: the ones that can carry a database's wire protocol. */
const NETWORK_PROTOCOLS = /^(TCP|TLS|UDP|TCP_UDP|SSL)$/i;

/** Every database port of the app: the engines' defaults and each database's own `Port`, where it is literal. */
function databasePorts(templates: readonly Resolver[]): ReadonlyMap<number, string> {
  const ports = new Map<number, string>(Object.entries(ENGINE_PORTS).map(([p, e]) => [Number(p), `${e}'s default`]));
  const types = new Set(['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster', ...OTHER_DATABASE_TYPES]);
  for (const t of templates) {
    for (const [id, r] of Object.entries(t.template.Resources ?? {})) {
      if (!types.has(r?.Type) || r.Properties?.Port === undefined) continue;
      const port = numberOf(r.Properties.Port, t);
      if (port.known && port.value !== undefined && !ports.has(port.value)) ports.set(port.value, `${id}'s port`);
    }
  }
  return ports;
}

/** Whether a load balancer answers the internet: CloudFormation makes one internet-facing unless `Scheme` says not. */
function scheme(lb: Record<string, unknown>, resolver: Resolver): { internal: boolean } | RuleOutcome {
  const s = stringOf(lb.Scheme, resolver);
  if (!s.known) return cannotVerify(`the load balancer's Scheme is ${s.why}`, 'Properties');
  return { internal: s.value === 'internal' };
}

/** The target groups a listener's default actions forward to. */
function forwardedGroups(actions: unknown): unknown[] {
  if (!Array.isArray(actions)) return [];
  return actions.flatMap((a: Record<string, unknown> | null) => {
    if (a === null || typeof a !== 'object') return [];
    const config = a.ForwardConfig as { TargetGroups?: { TargetGroupArn?: unknown }[] } | undefined;
    return [
      ...(a.TargetGroupArn === undefined ? [] : [a.TargetGroupArn]),
      ...(config?.TargetGroups ?? []).map((g) => g?.TargetGroupArn),
    ];
  });
}

/** The ports a target group sends to: its own and each target's. */
function targetGroupPorts(group: Record<string, unknown>, resolver: Resolver): (number | string)[] {
  const targets = Array.isArray(group.Targets) ? (group.Targets as Record<string, unknown>[]) : [];
  return [group.Port, ...targets.map((t) => t?.Port)]
    .filter((p) => p !== undefined)
    .map((p) => {
      const n = numberOf(p, resolver);
      return n.known && n.value !== undefined ? n.value : describe(p);
    });
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
          [l?.LoadBalancerPort, l?.InstancePort].map((v) => {
            const n = numberOf(v, resolver);
            return n.known && n.value !== undefined ? n.value : describe(v);
          }),
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
    const listenerPort = numberOf(p.Port, resolver);
    const outcomes = judgePorts(
      [listenerPort.known && listenerPort.value !== undefined ? listenerPort.value : describe(p.Port)],
      `${lb.logicalId} listener`,
      'Properties/Port',
    );
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
    const owner = lb.resolver.environment;
    const environment = owner ? stricterEnvironment(owner, context.environment) : context.environment;
    if (environment === context.environment) return outcomes;
    const note = ` (on ${lb.logicalId} of a ${environment} stack)`;
    return outcomes.map((o) => ({ ...o, evidence: `${o.evidence}${note}`, judgedIn: environment }));
  },
};
