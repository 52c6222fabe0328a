import type { Resolved, Resolver } from '../../resolve';
import type { TemplateResource } from '../../template';
import { describeShort } from '../../resolve';
import { PolicyRule, RuleOutcome, cannotVerify, clusterMembership, fail, pass, props } from '../../rule';

type ByTemplate<T> = Map<Resolver, Map<string, T[]>>;

function add<T>(index: ByTemplate<T>, resolver: Resolver, logicalId: string, item: T): void {
  let byId = index.get(resolver);
  if (!byId) index.set(resolver, (byId = new Map<string, T[]>()));
  byId.set(logicalId, [...(byId.get(logicalId) ?? []), item]);
}

/** Every subnet route table association and route of the app, by the subnet and route table they point at. */
function routingIndex(templates: readonly Resolver[]) {
  const associations: ByTemplate<Resolved> = new Map();
  const routes: ByTemplate<{ t: Resolver; route: TemplateResource }> = new Map();
  for (const t of templates) {
    for (const res of Object.values(t.template.Resources ?? {})) {
      if (res.Type === 'AWS::EC2::SubnetRouteTableAssociation') {
        const subnet = t.resolve(res.Properties?.SubnetId);
        if (subnet.kind === 'resource')
          add(associations, subnet.resolver, subnet.logicalId, t.resolve(res.Properties?.RouteTableId));
      } else if (res.Type === 'AWS::EC2::Route') {
        const table = t.resolve(res.Properties?.RouteTableId);
        if (table.kind === 'resource') add(routes, table.resolver, table.logicalId, { t, route: res });
      }
    }
  }
  return { associations, routes };
}

/** What a subnet's routes say: `public` (a route to an internet gateway), `private`, or why the template cannot tell. */
function subnetExposure(subnet: unknown, resolver: Resolver): { id: string; verdict: string } {
  const r = resolver.resolve(subnet);
  if (r.kind !== 'resource' || r.type !== 'AWS::EC2::Subnet') {
    const shown =
      r.kind === 'unknown'
        ? r.why
        : r.kind === 'resource'
          ? r.logicalId
          : describeShort(r.kind === 'literal' ? r.value : r.text);
    return { id: shown, verdict: `${shown} is a subnet outside this app, whose routes the gate cannot read` };
  }
  // Associations and routes may live in any stack of the app: each points at the subnet or table by reference.
  const { associations, routes } = r.resolver.appIndex('ec2-routing', routingIndex);
  const tables = associations.get(r.resolver)?.get(r.logicalId) ?? [];
  if (tables.length === 0) {
    return {
      id: r.logicalId,
      verdict: `${r.logicalId} has no route table association: it uses the VPC's main route table, which the template does not show`,
    };
  }
  for (const table of tables) {
    if (table.kind !== 'resource')
      return { id: r.logicalId, verdict: `${r.logicalId}'s route table is outside this app` };
    for (const { t, route } of routes.get(table.resolver)?.get(table.logicalId) ?? []) {
      const gateway = route.Properties?.GatewayId;
      if (gateway === undefined) continue;
      const g = t.resolve(gateway);
      const where = t === r.resolver ? '' : ` (a route in stack ${t.stack})`;
      if (g.kind === 'resource' && g.type === 'AWS::EC2::InternetGateway')
        return { id: `${r.logicalId}${where}`, verdict: 'public' };
      if (g.kind === 'literal' && typeof g.value === 'string' && g.value.startsWith('igw-'))
        return { id: `${r.logicalId}${where}`, verdict: 'public' };
      if (g.kind === 'unknown')
        return { id: r.logicalId, verdict: `a route of ${r.logicalId} goes to a gateway that is ${g.why}` };
    }
  }
  return { id: r.logicalId, verdict: 'private' };
}

/** SS-RDS-009: the database sits in subnets with no route to an internet gateway. */
export const privateSubnets: PolicyRule = {
  id: 'SS-RDS-009',
  title: 'Database subnets have no route to an internet gateway',
  rationale:
    'A database in public subnets is one PubliclyAccessible flag or one security-group rule away from the internet, and RDS makes an instance without a subnet group public in the default VPC.',
  fix: 'Place the database in private or isolated subnets: vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } (or PRIVATE_WITH_EGRESS).',
  severity: { dev: 'warning', staging: 'error', prod: 'error' },
  unacknowledgeableIn: [],
  resourceTypes: ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster'],
  evaluate(resource, context) {
    if (clusterMembership(resource, context) !== 'none') return [];
    const p = props(resource);
    const where = 'Properties/DBSubnetGroupName';
    if (p.DBSubnetGroupName === undefined) {
      // A replica in another account or region is placed by its own subnet group: the same rule holds.
      return [
        fail(
          'DBSubnetGroupName not set: RDS places the database in the default VPC, whose subnets route to its internet gateway',
          where,
        ),
      ];
    }
    const group = context.resolver.resolve(p.DBSubnetGroupName);
    if (group.kind === 'literal' && group.value === 'default') {
      return [fail("DBSubnetGroupName=default: the default VPC's subnets, which route to its internet gateway", where)];
    }
    if (group.kind !== 'resource' || group.type !== 'AWS::RDS::DBSubnetGroup') {
      const shown =
        group.kind === 'unknown'
          ? group.why
          : group.kind === 'resource'
            ? `${group.logicalId} (${group.type})`
            : describeShort(group.kind === 'literal' ? group.value : group.text);
      return [
        cannotVerify(
          `DBSubnetGroupName=${shown}: a subnet group outside this app, whose subnets the gate cannot read`,
          where,
        ),
      ];
    }
    const raw = group.resource.Properties?.SubnetIds;
    if (!Array.isArray(raw)) {
      const ids = group.resolver.resolve(raw);
      return [
        cannotVerify(
          `SubnetIds of ${group.logicalId} is ${ids.kind === 'unknown' ? ids.why : describeShort(raw)}`,
          where,
        ),
      ];
    }
    const verdicts = raw.map((s) => subnetExposure(s, group.resolver));
    const publicOnes = verdicts.filter((v) => v.verdict === 'public').map((v) => v.id);
    const unknown = verdicts.filter((v) => v.verdict !== 'public' && v.verdict !== 'private');
    const outcomes: RuleOutcome[] = [];
    if (publicOnes.length > 0)
      outcomes.push(
        fail(`subnet group ${group.logicalId}: ${publicOnes.join(', ')} route to an internet gateway`, where),
      );
    else if (unknown.length > 0)
      outcomes.push(
        cannotVerify(`subnet group ${group.logicalId}: ${unknown.map((u) => u.verdict).join('; ')}`, where),
      );
    else
      outcomes.push(
        pass(
          `subnet group ${group.logicalId}: ${verdicts.map((v) => v.id).join(', ')} have no route to an internet gateway`,
          where,
        ),
      );
    return outcomes;
  },
};
