/**
 * What the load-balancer rules share: the app's database ports, and the ports a Network Load Balancer listener passes
 * traffic to (its own and its target groups').
 */
import type { Resolver } from '../../resolve';
import type { TemplateResource } from '../../template';
import { describe, numberOf } from '../../template';
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
export const NETWORK_PROTOCOLS = /^(TCP|TLS|UDP|TCP_UDP|SSL)$/i;

/** Every database port of the app: the engines' defaults and each database's own `Port`, where it is literal. */
export function databasePorts(templates: readonly Resolver[]): ReadonlyMap<number, string> {
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

/** The target groups a listener's default actions forward to. */
export function forwardedGroups(actions: unknown): unknown[] {
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
export function targetGroupPorts(group: Record<string, unknown>, resolver: Resolver): (number | string)[] {
  const targets = Array.isArray(group.Targets) ? (group.Targets as Record<string, unknown>[]) : [];
  return [group.Port, ...targets.map((t) => t?.Port)].filter((p) => p !== undefined).map((p) => portOf(p, resolver));
}

/** A port as the template fixes it, or the text of what it is when it does not. */
export function portOf(value: unknown, resolver: Resolver): number | string {
  const n = numberOf(value, resolver);
  return n.known && n.value !== undefined ? n.value : describe(value);
}

/** A resource of the app and the template it is in. */
export interface Placed {
  readonly resource: TemplateResource;
  readonly resolver: Resolver;
}

/**
 * Every resource of `type` in the app, by the resource its `property` references (`<stack> <logical id>`): the
 * listeners of a load balancer, the permissions of an endpoint service.
 */
export function byReference(
  templates: readonly Resolver[],
  type: string,
  property: string,
): ReadonlyMap<string, readonly Placed[]> {
  const found = new Map<string, Placed[]>();
  for (const t of templates) {
    for (const r of Object.values(t.template.Resources ?? {})) {
      if (r?.Type !== type) continue;
      const target = t.resolve(r.Properties?.[property]);
      if (target.kind !== 'resource') continue;
      const key = `${target.stack} ${target.logicalId}`;
      found.set(key, [...(found.get(key) ?? []), { resource: r, resolver: t }]);
    }
  }
  return found;
}

/** Every ELBv2 listener of the app, by the load balancer it names. */
export const listenersByLoadBalancer = (templates: readonly Resolver[]) =>
  byReference(templates, 'AWS::ElasticLoadBalancingV2::Listener', 'LoadBalancerArn');
