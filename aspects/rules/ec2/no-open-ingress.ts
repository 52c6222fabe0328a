import { BlockList, isIPv4 } from 'node:net';
import { PolicyRule, RuleOutcome, cannotVerify, fail, judgedIn, judgingEnvironment, pass, props } from '../../rule';
import { describe, stringOf } from '../../template';
import type { EnvironmentName } from '../../../lib/profiles';

/** Address space that is not reachable from the internet (RFC 1918, RFC 6598 shared space, IPv6 ULA). */
export const PRIVATE_RANGES: readonly (readonly [string, number, 'ipv4' | 'ipv6'])[] = [
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['fc00::', 7, 'ipv6'],
];

const PRIVATE = PRIVATE_RANGES.map(([network, prefix, family]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { list, prefix, family };
});

/** True when every address of `cidr` lies inside one private range. */
export function isPrivateCidr(cidr: string): boolean {
  const [address, bits] = cidr.split('/');
  const prefix = Number(bits);
  const family = isIPv4(address) ? 'ipv4' : 'ipv6';
  return PRIVATE.some((r) => r.family === family && prefix >= r.prefix && r.list.check(address, family));
}

function isSingleHost(cidr: string): boolean {
  const [address, bits] = cidr.split('/');
  return Number(bits) === (isIPv4(address) ? 32 : 128);
}

/** Judges one ingress rule's sources, as `environment` tolerates them. */
function judgeIngress(
  rule: Record<string, unknown>,
  where: string,
  context: Parameters<PolicyRule['evaluate']>[1],
  environment: EnvironmentName = context.environment,
): RuleOutcome[] {
  const outcomes: RuleOutcome[] = [];
  const ports = rule.FromPort === undefined ? 'all ports' : `ports ${describe(rule.FromPort)}-${describe(rule.ToPort)}`;
  for (const key of ['CidrIp', 'CidrIpv6'] as const) {
    if (rule[key] === undefined) continue;
    const cidr = stringOf(rule[key], context.resolver);
    if (!cidr.known) {
      outcomes.push(cannotVerify(`${key} is ${cidr.why}`, where));
      continue;
    }
    const value = cidr.value!;
    if (isPrivateCidr(value)) outcomes.push(pass(`${key}=${value} (private) on ${ports}`, where));
    else if (isSingleHost(value)) {
      // A single public host: developer access, tolerated in dev only.
      outcomes.push({
        ...fail(`${key}=${value} (a single public host) on ${ports}`, where),
        severity: environment === 'dev' ? 'off' : undefined,
      });
    } else {
      outcomes.push({
        ...fail(`${key}=${value} (public) on ${ports}`, where),
        severity: environment === 'dev' ? 'warning' : undefined,
      });
    }
  }
  if (rule.SourcePrefixListId !== undefined) {
    outcomes.push(
      cannotVerify(`SourcePrefixListId=${describe(rule.SourcePrefixListId)}: its CIDRs are not in the template`, where),
    );
  }
  return outcomes;
}

/** SS-EC2-001: no security group admits traffic from outside private address space. */
export const noOpenIngress: PolicyRule = {
  id: 'SS-EC2-001',
  title: 'No security-group ingress from public address space',
  equivalents: ['AwsSolutions-EC23'],
  rationale:
    'Ingress from a public CIDR exposes the database port to the internet or to networks the team does not control; clients belong in security groups or private ranges.',
  fix: 'Admit clients by security group (connections.allowFrom(group, port)) or a private CIDR; for a developer in dev, use npm run dev-access (a /32 with an expiry).',
  severity: { dev: 'error', staging: 'error', prod: 'error' },
  unacknowledgeableIn: ['prod'],
  resourceTypes: ['AWS::EC2::SecurityGroup', 'AWS::EC2::SecurityGroupIngress'],
  evaluate(resource, context) {
    const p = props(resource);
    if (resource.Type === 'AWS::EC2::SecurityGroupIngress') {
      // A rule opens the group it names: one in another, stricter stack is judged as that stack judges its own.
      const group = context.resolver.resolve(p.GroupId);
      if (group.kind !== 'resource') return judgeIngress(p, 'Properties', context);
      const environment = judgingEnvironment(context, group.resolver);
      return judgedIn(
        judgeIngress(p, 'Properties', context, environment),
        environment,
        context,
        `opens ${group.logicalId}`,
      );
    }
    const ingress = p.SecurityGroupIngress;
    if (ingress === undefined) return [];
    if (!Array.isArray(ingress))
      return [cannotVerify(`SecurityGroupIngress is ${describe(ingress)}`, 'Properties/SecurityGroupIngress')];
    return ingress.flatMap((rule, i) =>
      rule !== null && typeof rule === 'object' && !('Fn::If' in rule)
        ? judgeIngress(rule as Record<string, unknown>, `Properties/SecurityGroupIngress/${i}`, context)
        : [cannotVerify(`ingress rule ${i} is ${describe(rule)}`, `Properties/SecurityGroupIngress/${i}`)],
    );
  },
};
