import { BlockList, isIPv4 } from 'node:net';
import {
  AuthorizeSecurityGroupIngressCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
  SecurityGroupRule,
  UpdateSecurityGroupRuleDescriptionsIngressCommand,
  paginateDescribeSecurityGroupRules,
} from '@aws-sdk/client-ec2';
import { EnvironmentName } from '../profiles';
import { SERVICES, writeOptions } from './aws-clients';
import { awsCall } from './aws-errors';
import { EXIT, OpsError, errorMessage } from './errors';
import { OutputsSource, loadStackOutputs, parsePort, requireOutputs } from './outputs';
import { Confirmation, verifiedWrite } from './verified-write';

/** Every rule this command creates has a description starting with this word, and only those are ever removed. */
export const RULE_PREFIX = 'spendsense-dev-access';
/** Environments whose policy gate accepts ingress from one developer's address. */
export const DEV_ACCESS_ENVIRONMENTS: readonly EnvironmentName[] = ['dev'];
export const DEFAULT_TTL = '4h';
export const MAX_TTL_MS = 7 * 24 * 3600_000;
export const DEFAULT_IP_SERVICE = 'https://checkip.amazonaws.com';
export const IP_SERVICE_ENV = 'SPENDSENSE_IP_SERVICE';
const IP_LOOKUP_TIMEOUT_MS = 5_000;

export interface RuleMetadata {
  readonly owner: string;
  readonly created: Date;
  readonly expires: Date;
}

export interface AccessRule extends RuleMetadata {
  readonly ruleId: string;
  readonly cidr: string;
  readonly port: number;
}

/** Refuses environments other than dev before anything is looked up. */
export function assertDevAccessAllowed(env: EnvironmentName): void {
  if (!DEV_ACCESS_ENVIRONMENTS.includes(env)) {
    throw new OpsError(
      `env: got '${env}'; dev-access only opens ${DEV_ACCESS_ENVIRONMENTS.join(', ')}: the policy gate forbids ingress from individual addresses in staging and prod; reach those databases from inside the VPC (the Lambda security group)`,
      EXIT.environmentRefused,
    );
  }
}

const TTL = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/;

/** `4h`, `30m`, `1d`, `1h30m` → milliseconds; from 1 minute to 7 days. */
export function parseTtl(value: string): number {
  const m = TTL.exec(value.trim());
  const ms =
    m && value.trim() !== ''
      ? (Number(m[1] ?? 0) * 24 * 60 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)) * 60_000
      : NaN;
  if (!(ms >= 60_000 && ms <= MAX_TTL_MS)) {
    throw new OpsError(
      `ttl: got '${value}', expected a duration from 1m to 7d such as 30m, 4h, 1d or 1h30m`,
      EXIT.invalidInput,
    );
  }
  return ms;
}

// EC2 rule descriptions accept a-zA-Z0-9, spaces and ._-:/()#,@[]+=&;{}!$*; owners stay within a safe subset.
const OWNER = /^[A-Za-z0-9._@+-]{1,64}$/;

export function validateOwner(owner: string, origin: string): string {
  if (!OWNER.test(owner)) {
    throw new OpsError(
      `owner: got '${owner}' (${origin}), expected 1-64 characters of A-Z a-z 0-9 . _ @ + -; pass --owner NAME`,
      EXIT.invalidInput,
    );
  }
  return owner;
}

/** `A.B.C.D` → `A.B.C.D/32`. */
export function hostCidr(ip: string, origin: string): string {
  if (!isIPv4(ip)) {
    throw new OpsError(`ip: got '${ip}' (${origin}), expected an IPv4 address A.B.C.D or 'auto'`, EXIT.invalidInput);
  }
  return `${ip}/32`;
}

/** ISO 8601 in UTC to the second: `2026-11-25T10:00:00Z`. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function ruleDescription(meta: RuleMetadata): string {
  return `${RULE_PREFIX} owner=${meta.owner} created=${isoSeconds(meta.created)} expires=${isoSeconds(meta.expires)}`;
}

const DESCRIPTION = new RegExp(`^${RULE_PREFIX} owner=(\\S+) created=(\\S+) expires=(\\S+)$`);

/** The metadata of a description this command wrote; `undefined` for any other description. */
export function parseRuleDescription(description: string | undefined): RuleMetadata | undefined {
  const m = DESCRIPTION.exec(description ?? '');
  if (!m) return undefined;
  const created = new Date(m[2]);
  const expires = new Date(m[3]);
  if (Number.isNaN(created.getTime()) || Number.isNaN(expires.getTime())) return undefined;
  return { owner: m[1], created, expires };
}

/** The security group and port of an environment's database, from its stack outputs. */
export async function resolveDatabaseGroup(
  env: EnvironmentName,
  source: OutputsSource,
): Promise<{ readonly groupId: string; readonly port: number }> {
  const loaded = await loadStackOutputs(env, source);
  const out = requireOutputs(loaded, ['DatabaseSecurityGroupId', 'DatabasePort']);
  return {
    groupId: out.DatabaseSecurityGroupId,
    port: parsePort(out.DatabasePort, `${loaded.origin}: output DatabasePort`),
  };
}

/**
 * The caller's public IPv4 address, from a service that answers a GET with the address as plain text (the format of
 * checkip.amazonaws.com).
 */
export async function lookupPublicIp(serviceUrl: string): Promise<string> {
  const fix = `pass --ip A.B.C.D, or point --ip-service / ${IP_SERVICE_ENV} at a reachable service`;
  let url: URL;
  try {
    url = new URL(serviceUrl);
  } catch {
    throw new OpsError(`ip-service: got '${serviceUrl}', expected an http(s) URL`, EXIT.invalidInput);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new OpsError(`ip-service: got '${serviceUrl}', expected an http(s) URL`, EXIT.invalidInput);
  }
  let body: string;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(IP_LOOKUP_TIMEOUT_MS) });
    body = (await response.text()).trim();
    if (!response.ok) {
      throw new OpsError(
        `ip: address service ${serviceUrl} answered HTTP ${response.status}; ${fix}`,
        EXIT.addressLookup,
      );
    }
  } catch (err) {
    if (err instanceof OpsError) throw err;
    throw new OpsError(
      `ip: cannot reach the address service ${serviceUrl} (${fetchFailure(err)}); offline? ${fix}`,
      EXIT.addressLookup,
    );
  }
  if (!isIPv4(body)) {
    throw new OpsError(
      `ip: address service ${serviceUrl} answered '${body.slice(0, 60)}', not an IPv4 address; ${fix}`,
      EXIT.addressLookup,
    );
  }
  return body;
}

/** The system error code under a fetch failure (`ECONNREFUSED`, `ENOTFOUND`), or what else went wrong. */
function fetchFailure(err: unknown): string {
  const e = err as { name?: unknown; cause?: { code?: unknown; errors?: { code?: unknown }[] } };
  if (e.name === 'TimeoutError') return `no answer within ${IP_LOOKUP_TIMEOUT_MS} ms`;
  const code = e.cause?.code ?? e.cause?.errors?.[0]?.code;
  return typeof code === 'string' ? code : errorMessage(err);
}

/** An ingress rule of the group, whoever created it. */
export interface IngressRule {
  readonly ruleId: string;
  /** `-1` for all protocols, else `tcp`, `udp`, `icmp` or a protocol number. */
  readonly protocol: string;
  readonly fromPort: number;
  readonly toPort: number;
  /** The IPv4 range; undefined for rules that name another group, a prefix list or an IPv6 range. */
  readonly cidr?: string;
  readonly description?: string;
  /** The metadata, when this command created the rule. */
  readonly access?: AccessRule;
}

function toIngressRule(rule: SecurityGroupRule): IngressRule | undefined {
  if (rule.IsEgress || !rule.SecurityGroupRuleId) return undefined;
  const base = {
    ruleId: rule.SecurityGroupRuleId,
    protocol: rule.IpProtocol ?? '-1',
    fromPort: rule.FromPort ?? -1,
    toPort: rule.ToPort ?? -1,
    cidr: rule.CidrIpv4,
    description: rule.Description,
  };
  const meta = rule.CidrIpv4 ? parseRuleDescription(rule.Description) : undefined;
  return meta ? { ...base, access: { ...meta, ruleId: base.ruleId, cidr: rule.CidrIpv4!, port: base.fromPort } } : base;
}

/** Every ingress rule of the group, in EC2's order. */
export async function listIngressRules(ec2: EC2Client, groupId: string): Promise<IngressRule[]> {
  return awsCall({ ...SERVICES.ec2, operation: 'DescribeSecurityGroupRules', resource: groupId }, async () => {
    const rules: IngressRule[] = [];
    const pages = paginateDescribeSecurityGroupRules(
      { client: ec2 },
      { Filters: [{ Name: 'group-id', Values: [groupId] }] },
    );
    for await (const page of pages) {
      for (const rule of page.SecurityGroupRules ?? []) {
        const ingress = toIngressRule(rule);
        if (ingress) rules.push(ingress);
      }
    }
    return rules;
  });
}

/** The ingress rules of the group that this command created, oldest first. */
export async function listAccessRules(ec2: EC2Client, groupId: string): Promise<AccessRule[]> {
  return ownRules(await listIngressRules(ec2, groupId));
}

function ownRules(rules: readonly IngressRule[]): AccessRule[] {
  return rules.flatMap((r) => (r.access ? [r.access] : [])).sort((a, b) => a.created.getTime() - b.created.getTime());
}

/** True when `rule` admits TCP from the whole of `cidr` (a /32) to `port`. */
export function admits(rule: IngressRule, cidr: string, port: number): boolean {
  if (rule.cidr === undefined) return false;
  const allProtocols = rule.protocol === '-1';
  if (!allProtocols && rule.protocol !== 'tcp' && rule.protocol !== '6') return false;
  if (!allProtocols && !(rule.fromPort <= port && port <= rule.toPort)) return false;
  const [network, bits] = rule.cidr.split('/');
  const range = new BlockList();
  try {
    range.addSubnet(network, Number(bits ?? 32), 'ipv4');
  } catch {
    return false;
  }
  return range.check(cidr.split('/')[0], 'ipv4');
}

export interface AddAccessOptions {
  readonly ec2: EC2Client;
  readonly groupId: string;
  readonly port: number;
  readonly cidr: string;
  readonly owner: string;
  readonly ttlMs: number;
  readonly now: Date;
}

export type AddAccessResult =
  /** This run created the rule, or renewed the owner's rule for the address; `confirmed` says how that is known. */
  | { readonly status: 'added' | 'renewed'; readonly rule: AccessRule; readonly confirmed: Confirmation }
  /** Another run for the same owner added the address meanwhile; its rule stands as it is. */
  | { readonly status: 'present'; readonly rule: AccessRule }
  /** Another owner's dev-access rule admits the address; it is theirs, and nothing changed. */
  | { readonly status: 'owned-by-other'; readonly rule: AccessRule }
  /** A rule this command did not create admits the address; nothing changed. */
  | { readonly status: 'already-allowed'; readonly rule: IngressRule; readonly cidr: string; readonly port: number };

/**
 * What the group's rules already do for the address, before or after a write: the owner's rule (renewable, or the
 * result of `description` when it matches), another owner's, or a foreign rule that admits the address.
 */
function standing(
  rules: readonly IngressRule[],
  o: AddAccessOptions,
  description: string,
): { readonly own?: IngressRule; readonly result?: AddAccessResult } {
  const exact = rules.filter((r) => r.access && r.cidr === o.cidr && r.access.port === o.port);
  const own = exact.find((r) => r.access!.owner === o.owner);
  if (own) {
    const confirmed = 'state' as const;
    return own.description === description
      ? { own, result: { status: 'added', rule: own.access!, confirmed } }
      : { own, result: { status: 'present', rule: own.access! } };
  }
  const other = exact[0];
  if (other) return { result: { status: 'owned-by-other', rule: other.access! } };
  const foreign = rules.find((r) => !r.access && admits(r, o.cidr, o.port));
  if (foreign) return { result: { status: 'already-allowed', rule: foreign, cidr: o.cidr, port: o.port } };
  return {};
}

/**
 * Admits `cidr` on the database port until `now + ttl`. Run twice, the second run renews the expiry of the rule the
 * first one created instead of failing on a duplicate. Another owner's rule for the address is never taken over, and
 * a rule this command did not create is never touched. When a write's answer is lost (timeout, dropped connection,
 * 5xx, a retry that meets the first attempt's rule), the rules are read again and the result is what they show.
 */
export async function addAccess(o: AddAccessOptions): Promise<AddAccessResult> {
  const meta: RuleMetadata = { owner: o.owner, created: o.now, expires: new Date(o.now.getTime() + o.ttlMs) };
  const Description = ruleDescription(meta);
  const before = standing(await listIngressRules(o.ec2, o.groupId), o, Description);
  const checkWith = 'npm run dev-access -- --env dev --list';

  if (before.own) {
    const existing = before.own.access!;
    const renewed: AddAccessResult = { status: 'renewed', rule: { ...existing, ...meta }, confirmed: 'answer' };
    const outcome = await verifiedWrite({
      write: () =>
        awsCall(
          { ...SERVICES.ec2, operation: 'UpdateSecurityGroupRuleDescriptionsIngress', resource: existing.ruleId },
          () =>
            o.ec2.send(
              new UpdateSecurityGroupRuleDescriptionsIngressCommand({
                GroupId: o.groupId,
                SecurityGroupRuleDescriptions: [{ SecurityGroupRuleId: existing.ruleId, Description }],
              }),
              writeOptions(o.ec2),
            ),
        ).then(() => renewed),
      reread: async () =>
        (await listIngressRules(o.ec2, o.groupId)).some(
          (r) => r.ruleId === existing.ruleId && r.description === Description,
        )
          ? renewed
          : undefined,
      checkWith,
    });
    return outcome.value.status === 'renewed' ? { ...outcome.value, confirmed: outcome.confirmed } : outcome.value;
  }
  if (before.result) return before.result;

  const call = { ...SERVICES.ec2, operation: 'AuthorizeSecurityGroupIngress', resource: o.groupId };
  const outcome = await verifiedWrite<AddAccessResult>({
    write: async () => {
      const response = await awsCall(call, () =>
        o.ec2.send(
          new AuthorizeSecurityGroupIngressCommand({
            GroupId: o.groupId,
            IpPermissions: [
              { IpProtocol: 'tcp', FromPort: o.port, ToPort: o.port, IpRanges: [{ CidrIp: o.cidr, Description }] },
            ],
          }),
          writeOptions(o.ec2),
        ),
      );
      const ruleId = response.SecurityGroupRules?.[0]?.SecurityGroupRuleId;
      if (!ruleId) {
        throw new OpsError(
          `${call.service} ${call.operation} on ${o.groupId}: answer without a rule id`,
          EXIT.awsOther,
        );
      }
      return { status: 'added', rule: { ...meta, ruleId, cidr: o.cidr, port: o.port }, confirmed: 'answer' };
    },
    reread: async () => standing(await listIngressRules(o.ec2, o.groupId), o, Description).result,
    checkWith,
  });
  return outcome.value;
}

export interface RevokeResult {
  /** The rules that are gone now. */
  readonly rules: readonly AccessRule[];
  /** `state` when the answer was lost or an error, and reading the rules again showed them gone. */
  readonly confirmed: Confirmation;
}

/**
 * Revokes the given rules of the group by rule id. When the call fails (a lost answer; a retry, or a parallel run,
 * that finds a rule already gone), the rules are read again: those still there are revoked once more, and the result
 * is what the group then holds.
 */
export async function revokeRules(
  ec2: EC2Client,
  groupId: string,
  rules: readonly AccessRule[],
): Promise<RevokeResult> {
  if (rules.length === 0) return { rules: [], confirmed: 'answer' };
  const revoke = (ids: readonly string[]) =>
    awsCall({ ...SERVICES.ec2, operation: 'RevokeSecurityGroupIngress', resource: groupId }, () =>
      ec2.send(
        new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: [...ids] }),
        writeOptions(ec2),
      ),
    );
  const ids = rules.map((r) => r.ruleId);
  const outcome = await verifiedWrite({
    write: () => revoke(ids).then(() => rules),
    reread: async () => {
      const present = new Set((await listIngressRules(ec2, groupId)).map((r) => r.ruleId));
      const left = ids.filter((id) => present.has(id));
      if (left.length === ids.length) return undefined;
      if (left.length > 0) await revoke(left);
      return rules;
    },
    checkWith: 'npm run dev-access -- --env dev --list',
  });
  return { rules: [...outcome.value], confirmed: outcome.confirmed };
}

/** Removes the rules this command created for `owner`; other owners' rules and other rules stay. */
export async function removeAccess(ec2: EC2Client, groupId: string, owner: string): Promise<RevokeResult> {
  const rules = await listAccessRules(ec2, groupId);
  return revokeRules(
    ec2,
    groupId,
    rules.filter((r) => r.owner === owner),
  );
}

/** Removes the rules this command created whose expiry has passed, whoever owns them. */
export async function pruneAccess(ec2: EC2Client, groupId: string, now: Date): Promise<RevokeResult> {
  const rules = await listAccessRules(ec2, groupId);
  return revokeRules(
    ec2,
    groupId,
    rules.filter((r) => r.expires.getTime() <= now.getTime()),
  );
}

/** One line per rule: `sgr-0abc  203.0.113.7/32  port 5432  owner alice  expires 2026-11-25T14:00:00Z (in 3h 59m)`. */
export function formatRule(rule: AccessRule, now: Date): string {
  const left = rule.expires.getTime() - now.getTime();
  const when = left <= 0 ? `expired ${formatDuration(-left)} ago` : `in ${formatDuration(left)}`;
  return `${rule.ruleId}  ${rule.cidr}  port ${rule.port}  owner ${rule.owner}  expires ${isoSeconds(rule.expires)} (${when})`;
}

export function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return [d ? `${d}d` : '', h ? `${h}h` : '', `${m}m`].filter(Boolean).join(' ');
}
