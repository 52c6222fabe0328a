import type { Resolver } from '../../resolve';
import { describeShort } from '../../resolve';
import { PolicyRule, RuleOutcome, cannotVerify, clusterMembership, pass, props } from '../../rule';

/** The property that lists a database's or proxy's security groups, by resource type. */
const GROUPS_PROPERTY: Readonly<Record<string, string>> = {
  'AWS::RDS::DBInstance': 'VPCSecurityGroups',
  'AWS::RDS::DBCluster': 'VpcSecurityGroupIds',
  'AWS::RDS::DBProxy': 'VpcSecurityGroupIds',
  // An endpoint of a proxy (in its own or another VPC) is a door to the database of its own.
  'AWS::RDS::DBProxyEndpoint': 'VpcSecurityGroupIds',
};

/** What a group reference is: a security group of the app (whose rules SS-EC2-001 judges), or what else it is. */
function outsideGroup(value: unknown, resolver: Resolver): string | undefined {
  const r = resolver.resolve(value);
  if (r.kind === 'resource' && r.type === 'AWS::EC2::SecurityGroup') return undefined;
  if (r.kind === 'unknown') return r.why;
  if (r.kind === 'resource') return `${r.logicalId} (${r.type})`;
  return describeShort(r.kind === 'literal' ? r.value : r.text);
}

/**
 * SS-RDS-014: the security groups in front of a database are the app's own. SS-EC2-001 judges the ingress rules the
 * templates hold; a group imported by id (`SecurityGroup.fromSecurityGroupId`), passed as a parameter, or the VPC's
 * default group RDS uses when none is named, has rules no template shows: the port may be open to the internet.
 */
export const ownSecurityGroups: PolicyRule = {
  id: 'SS-RDS-014',
  title: 'Database security groups are defined in the app',
  rationale:
    "The gate judges a security group's ingress from its template; a group defined elsewhere (imported by id, a parameter, or the VPC's default group RDS falls back to) may admit the internet, and nothing here shows it.",
  fix: 'Let the construct create its security group (rds.DatabaseInstance does), or define one with ec2.SecurityGroup in the app; where a shared group is required, acknowledge SS-RDS-014 with a review of its rules.',
  severity: { dev: 'warning', staging: 'error', prod: 'error' },
  unacknowledgeableIn: [],
  resourceTypes: Object.keys(GROUPS_PROPERTY),
  evaluate(resource, context) {
    if (clusterMembership(resource, context) !== 'none') return [];
    const name = GROUPS_PROPERTY[resource.Type];
    const where = `Properties/${name}`;
    const raw = props(resource)[name];
    if (raw === undefined) {
      return [
        cannotVerify(
          `${name} not set: RDS uses the VPC's default security group, whose rules the template does not show`,
          where,
        ),
      ];
    }
    const list = Array.isArray(raw) ? raw : undefined;
    if (!list) {
      const r = context.resolver.resolve(raw);
      return [cannotVerify(`${name} is ${r.kind === 'unknown' ? r.why : describeShort(raw)}`, where)];
    }
    const outside = list.flatMap((g) => {
      const why = outsideGroup(g, context.resolver);
      return why === undefined ? [] : [why];
    });
    const outcomes: RuleOutcome[] =
      outside.length > 0
        ? [
            cannotVerify(
              `${name}: ${outside.join(', ')}: a group outside this app, whose rules the gate cannot read`,
              where,
            ),
          ]
        : [pass(`${name}: ${list.length} security group${list.length === 1 ? '' : 's'} of the app`, where)];
    return outcomes;
  },
};
