import { BlockList, isIPv4 } from 'node:net';
import { PolicyRule, RuleOutcome, cannotVerify, fail, pass, props } from '../../rule';
import type { Resolver } from '../../resolve';
import { describe, intrinsic, stringOf } from '../../template';

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

const VPC_BLOCK_LISTS: Readonly<Record<string, string>> = {
  'AWS::EC2::VPC': 'Ipv6CidrBlocks',
  'AWS::EC2::Subnet': 'Ipv6CidrBlocks',
};

/**
 * The VPC address block `value` is, or lies in: an element of a VPC's or subnet's `Ipv6CidrBlocks`, or of a `Fn::Cidr`
 * split of one, in this template or followed through a nested stack's parameter or another stack's export. A dual-stack VPC's IPv6 block is globally unique, not private, but only
 * that VPC's own interfaces hold its addresses, as with the VPC's IPv4 `CidrBlock`. Undefined for anything else.
 */
function vpcBlock(value: unknown, resolver: Resolver, depth = 0): string | undefined {
  const d = resolver.definition(value);
  const fn = intrinsic(d.value);
  if (!fn || depth > 10) return undefined;
  if (fn[0] === 'Fn::Select' && Array.isArray(fn[1]) && fn[1].length === 2)
    return vpcBlocks(fn[1][1], d.resolver, depth);
  return undefined;
}

/** A separator no CIDR holds, so that splitting a joined list gives back its blocks whole. */
const LIST_SEPARATOR = /^[^0-9a-fA-F:./]+$/;

function vpcBlocks(list: unknown, resolver: Resolver, depth: number): string | undefined {
  const d = resolver.definition(list);
  const fn = intrinsic(d.value);
  if (!fn || depth > 10) return undefined;
  const [name, arg] = fn;
  if (name === 'Fn::GetAtt') {
    const r = d.resolver.resolve(d.value);
    return r.kind === 'resource' && VPC_BLOCK_LISTS[r.type] === r.attribute
      ? `${r.stack}/${r.logicalId}.${r.attribute}`
      : undefined;
  }
  if (!Array.isArray(arg)) return undefined;
  // Fn::Cidr [block, count, bits]: subnets carved out of a VPC block are still that VPC's.
  if (name === 'Fn::Cidr') return vpcBlock(arg[0], d.resolver, depth + 1);
  // A list passed across stacks: Fn::Split of an import whose export is Fn::Join of the list, with one separator.
  if (name === 'Fn::Split' && arg.length === 2 && typeof arg[0] === 'string' && LIST_SEPARATOR.test(arg[0])) {
    const joined = d.resolver.definition(arg[1]);
    const join = intrinsic(joined.value);
    if (join?.[0] === 'Fn::Join' && Array.isArray(join[1]) && join[1][0] === arg[0]) {
      return vpcBlocks(join[1][1], joined.resolver, depth + 1);
    }
  }
  return undefined;
}

/** Judges one ingress rule's sources, as `environment` tolerates them. */
function judgeIngress(
  rule: Record<string, unknown>,
  where: string,
  context: Parameters<PolicyRule['evaluate']>[1],
): RuleOutcome[] {
  const environment = context.environment;
  const outcomes: RuleOutcome[] = [];
  const ports = rule.FromPort === undefined ? 'all ports' : `ports ${describe(rule.FromPort)}-${describe(rule.ToPort)}`;
  for (const key of ['CidrIp', 'CidrIpv6'] as const) {
    if (rule[key] === undefined) continue;
    const block = key === 'CidrIpv6' ? vpcBlock(rule[key], context.resolver) : undefined;
    if (block) {
      outcomes.push(
        pass(`${key} is an IPv6 block of the VPC (${block}), which only its own interfaces hold, on ${ports}`, where),
      );
      continue;
    }
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
    // A rule opens the group it names: the engine judges one on a group a stricter stack owns or uses as that stack
    // (aspects/cross-stack.ts), so `context.environment` is already the stricter one.
    if (resource.Type === 'AWS::EC2::SecurityGroupIngress') return judgeIngress(p, 'Properties', context);
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
