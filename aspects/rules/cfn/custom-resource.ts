import type { Resolver } from '../../resolve';
import { PolicyRule, RuleOutcome, cannotVerify, props } from '../../rule';

/** Property names that carry a setting one of the kit's rules judges on a real resource. */
const JUDGED_SETTING =
  /^(cidr(ip|ipv6|block|s)?|sourcecidr|ingress|securitygroupingress|ipranges?|allowedcidrs?|publiclyaccessible|deletionprotection|multiaz|storageencrypted|kmskeyid|encryptionkey|backupretentionperiod|requiretls|rds\.force_ssl|require_secure_transport|enablekeyrotation|dbparametergroupname|dbsubnetgroupname)$/i;

/** An IPv4 or IPv6 network range written as text. */
const CIDR = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:]*)\/\d{1,3}$/i;

/** A string holding a JSON object or list (`Custom::AWS` passes its SDK call that way). */
function parsedJson(text: string): unknown {
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return undefined;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return undefined;
  }
}

function isIntrinsic(value: object): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

function findings(value: unknown, path: string, resolver: Resolver, out: string[]): void {
  if (typeof value === 'string') {
    if (CIDR.test(value.trim())) out.push(`${path}=${value} (a network range)`);
    const json = parsedJson(value);
    if (json !== undefined) findings(json, path, resolver, out);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => findings(v, `${path}/${i}`, resolver, out));
    return;
  }
  if (isIntrinsic(value)) {
    // A string built at synthesis (Fn::Join, Fn::Sub) is judged as the text it makes.
    const r = resolver.resolve(value);
    const text = r.kind === 'literal' ? r.value : r.kind === 'expression' ? r.text : undefined;
    if (typeof text === 'string' || (text !== null && typeof text === 'object')) findings(text, path, resolver, out);
    return;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const here = path ? `${path}/${k}` : k;
    if (JUDGED_SETTING.test(k)) out.push(`${here} (a database or network setting)`);
    else findings(v, here, resolver, out);
  }
}

/** SS-CFN-003: what a custom resource creates is out of the gate's sight, so it may not carry judged settings. */
export const customResourceSettings: PolicyRule = {
  id: 'SS-CFN-003',
  title: 'No custom resource carries network ranges or database settings',
  rationale:
    'A custom resource runs code at deploy time that can open a security group or change a database with the properties it is given; the gate sees only those properties, not what the code does with them.',
  fix: 'Model the change with the CloudFormation resource itself (ec2.SecurityGroup, rds.DatabaseInstance, ...) so its rules judge it, or acknowledge SS-CFN-003 on the custom resource with a review of its handler.',
  severity: { dev: 'warning', staging: 'warning', prod: 'error' },
  unacknowledgeableIn: [],
  resourceTypes: ['Custom::*', 'AWS::CloudFormation::CustomResource'],
  evaluate(resource, { resolver }) {
    // ServiceToken and ServiceTimeout address the handler; the rest is what it is told to do.
    const rest = Object.fromEntries(
      Object.entries(props(resource)).filter(([k]) => k !== 'ServiceToken' && k !== 'ServiceTimeout'),
    );
    const out: string[] = [];
    findings(rest, '', resolver, out);
    return out.map((f): RuleOutcome =>
      cannotVerify(`Properties/${f}: applied by the custom resource's handler, unseen`, 'Properties'),
    );
  },
};
