import { isIPv4 } from 'node:net';
import {
  AuthorizeSecurityGroupIngressCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
  SecurityGroupRule,
  UpdateSecurityGroupRuleDescriptionsIngressCommand,
  paginateDescribeSecurityGroupRules,
} from '@aws-sdk/client-ec2';
import { EnvironmentName } from '../profiles';
import { SERVICES } from './aws-clients';
import { awsCall, toAwsOpsError } from './aws-errors';
import { EXIT, OpsError, errorMessage } from './errors';
import { OutputsSource, loadStackOutputs, parsePort, requireOutputs } from './outputs';

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

function toAccessRule(rule: SecurityGroupRule): AccessRule | undefined {
  if (rule.IsEgress || !rule.SecurityGroupRuleId || !rule.CidrIpv4) return undefined;
  const meta = parseRuleDescription(rule.Description);
  if (!meta) return undefined;
  return { ...meta, ruleId: rule.SecurityGroupRuleId, cidr: rule.CidrIpv4, port: rule.FromPort ?? 0 };
}

/** The ingress rules of the group that this command created, oldest first. */
export async function listAccessRules(ec2: EC2Client, groupId: string): Promise<AccessRule[]> {
  return awsCall({ ...SERVICES.ec2, operation: 'DescribeSecurityGroupRules', resource: groupId }, async () => {
    const rules: AccessRule[] = [];
    const pages = paginateDescribeSecurityGroupRules(
      { client: ec2 },
      { Filters: [{ Name: 'group-id', Values: [groupId] }] },
    );
    for await (const page of pages) {
      for (const rule of page.SecurityGroupRules ?? []) {
        const own = toAccessRule(rule);
        if (own) rules.push(own);
      }
    }
    return rules.sort((a, b) => a.created.getTime() - b.created.getTime());
  });
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
  | { readonly status: 'added' | 'renewed'; readonly rule: AccessRule }
  /** The address already had access through a rule this command did not create; nothing changed. */
  | { readonly status: 'already-allowed'; readonly cidr: string; readonly port: number };

/**
 * Admits `cidr` on the database port until `now + ttl`. Run twice, the second run renews the expiry of the rule the
 * first one created instead of failing on a duplicate.
 */
export async function addAccess(o: AddAccessOptions): Promise<AddAccessResult> {
  const meta: RuleMetadata = { owner: o.owner, created: o.now, expires: new Date(o.now.getTime() + o.ttlMs) };
  const Description = ruleDescription(meta);
  const existing = (await listAccessRules(o.ec2, o.groupId)).find((r) => r.cidr === o.cidr && r.port === o.port);
  if (existing) {
    await awsCall(
      { ...SERVICES.ec2, operation: 'UpdateSecurityGroupRuleDescriptionsIngress', resource: existing.ruleId },
      () =>
        o.ec2.send(
          new UpdateSecurityGroupRuleDescriptionsIngressCommand({
            GroupId: o.groupId,
            SecurityGroupRuleDescriptions: [{ SecurityGroupRuleId: existing.ruleId, Description }],
          }),
        ),
    );
    return { status: 'renewed', rule: { ...existing, ...meta } };
  }
  const call = { ...SERVICES.ec2, operation: 'AuthorizeSecurityGroupIngress', resource: o.groupId };
  try {
    const response = await o.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: o.groupId,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: o.port, ToPort: o.port, IpRanges: [{ CidrIp: o.cidr, Description }] },
        ],
      }),
    );
    const ruleId = response.SecurityGroupRules?.[0]?.SecurityGroupRuleId;
    if (!ruleId) {
      throw new OpsError(`${call.service} ${call.operation} on ${o.groupId}: answer without a rule id`, EXIT.awsOther);
    }
    return { status: 'added', rule: { ...meta, ruleId, cidr: o.cidr, port: o.port } };
  } catch (err) {
    if ((err as { name?: unknown }).name === 'InvalidPermission.Duplicate') {
      return { status: 'already-allowed', cidr: o.cidr, port: o.port };
    }
    throw toAwsOpsError(err, call) ?? err;
  }
}

/** Revokes the given rules of the group by rule id (one call); returns them. */
export async function revokeRules(
  ec2: EC2Client,
  groupId: string,
  rules: readonly AccessRule[],
): Promise<AccessRule[]> {
  if (rules.length === 0) return [];
  await awsCall({ ...SERVICES.ec2, operation: 'RevokeSecurityGroupIngress', resource: groupId }, () =>
    ec2.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: rules.map((r) => r.ruleId) }),
    ),
  );
  return [...rules];
}

/** Removes the rules this command created for `owner`; other owners' rules and other rules stay. */
export async function removeAccess(ec2: EC2Client, groupId: string, owner: string): Promise<AccessRule[]> {
  const rules = await listAccessRules(ec2, groupId);
  return revokeRules(
    ec2,
    groupId,
    rules.filter((r) => r.owner === owner),
  );
}

/** Removes the rules this command created whose expiry has passed, whoever owns them. */
export async function pruneAccess(ec2: EC2Client, groupId: string, now: Date): Promise<AccessRule[]> {
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
