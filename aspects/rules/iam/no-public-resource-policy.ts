import type { Resolver } from '../../resolve';
import { PolicyRule, RuleOutcome, cannotVerify, fail, pass, props } from '../../rule';
import { booleanOf, describe } from '../../template';

/**
 * Condition keys that tie a statement to an account, an organization or a network of the team's. Not
 * `aws:VpcSourceIp`: it is the caller's address inside whichever VPC its endpoint is in, any account's, so a private
 * range there names no network of the team's until `aws:SourceVpc` or `aws:SourceVpce` does.
 */
const SCOPING_KEYS =
  /^(aws:(PrincipalAccount|PrincipalOrgID|PrincipalOrgPaths|PrincipalArn|SourceAccount|SourceOrgID|SourceArn|SourceVpce?)|kms:CallerAccount)$/i;

/**
 * Operators under which a scoping key admits only the values written: equality and patterns, each value required of
 * every request. Negations (`StringNotEquals`), `Null`, `...IfExists` (which matches a request without the key) and
 * `ForAllValues:` (which matches an empty set) admit requests from anywhere.
 */
const ADMITTING_OPERATOR =
  /^(ForAnyValue:)?(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike|IpAddress)$/;

/** The account field of an ARN a condition names: a 12-digit account, or the stack's own. */
const OWN_ACCOUNT = /^(\d{12}|\$\{AWS::AccountId\})$/;

/**
 * Whether a condition value admits only the team's: no wildcard (except after a fixed account in an ARN, or after a
 * fixed organization in an organization path), and no network range that is every address.
 */
function concrete(key: string, value: string): boolean {
  if (/^(0\.0\.0\.0|::)\/0$/.test(value.trim())) return false;
  if (!/[*?]/.test(value)) return value.trim() !== '';
  if (/^aws:(PrincipalArn|SourceArn)$/i.test(key)) {
    const account = value.split(':')[4] ?? '';
    return OWN_ACCOUNT.test(account) && !/[*?]/.test(value.split(':').slice(0, 4).join(':'));
  }
  if (/^aws:PrincipalOrgPaths$/i.test(key)) return /^o-[a-z0-9]+\//.test(value);
  return false;
}

/** A value as far as the template tells it: the literal or the text, or undefined when only deploy time knows. */
function valueOf(value: unknown, resolver: Resolver): unknown {
  const r = resolver.resolve(value);
  if (r.kind === 'literal') return r.value;
  if (r.kind === 'expression') return r.text;
  if (r.kind === 'resource') return `\${${r.logicalId}${r.attribute ? `.${r.attribute}` : ''}}`;
  return undefined;
}

/** Whether a principal value names everyone: `*`, or `AWS: *` among others; undefined when it cannot be told. */
function namesEveryone(principal: unknown, resolver: Resolver): boolean | undefined {
  const value = valueOf(principal, resolver);
  if (value === undefined) return principal === undefined ? false : undefined;
  if (value === '*') return true;
  if (value === null || typeof value !== 'object') return typeof value === 'string' ? undefined : false;
  const aws = valueOf((value as Record<string, unknown>).AWS, resolver);
  if ((value as Record<string, unknown>).AWS === undefined) return false;
  if (aws === undefined) return undefined;
  const list = Array.isArray(aws) ? aws : [aws];
  let unknown = false;
  for (const p of list) {
    const v = valueOf(p, resolver);
    if (v === '*') return true;
    if (v === undefined) unknown = true;
  }
  return unknown ? undefined : false;
}

/**
 * Whether a condition block ties the statement to the team: one key of {@link SCOPING_KEYS} under an operator that
 * admits only its values, every value concrete. `unknown` when such a key's values are left to deploy time.
 */
function scoping(condition: unknown, resolver: Resolver): 'scoped' | 'unscoped' | 'unknown' {
  const c = valueOf(condition, resolver);
  if (c === null || typeof c !== 'object' || Array.isArray(c))
    return c === undefined && condition !== undefined ? 'unknown' : 'unscoped';
  let unknown = false;
  for (const [operator, block] of Object.entries(c as Record<string, unknown>)) {
    if (!ADMITTING_OPERATOR.test(operator)) continue;
    const b = valueOf(block, resolver);
    if (b === null || typeof b !== 'object' || Array.isArray(b)) continue;
    for (const [key, raw] of Object.entries(b as Record<string, unknown>)) {
      if (!SCOPING_KEYS.test(key)) continue;
      const values = valueOf(raw, resolver);
      const list = (Array.isArray(values) ? values : [values]).map((v) => valueOf(v, resolver));
      if (values === undefined || list.some((v) => v === undefined)) unknown = true;
      else if (list.length > 0 && list.every((v) => typeof v === 'string' && concrete(key, v))) return 'scoped';
    }
  }
  return unknown ? 'unknown' : 'unscoped';
}

/** A policy document as an object: CloudFormation also takes one as a JSON string. */
function documentOf(document: unknown, resolver: Resolver): { value: unknown } | { why: string } {
  const value = valueOf(document, resolver);
  if (value === undefined) return { why: `${describe(document)}, known only at deploy time` };
  if (typeof value !== 'string') return { value };
  try {
    return { value: JSON.parse(value) as unknown };
  } catch {
    return { why: `text that is not a JSON policy (${value.length > 60 ? `${value.slice(0, 60)}...` : value})` };
  }
}

/** The Allow statements of a policy document that let anyone in, as outcomes. */
function judgeDocument(raw: unknown, where: string, resolver: Resolver): RuleOutcome[] {
  if (raw === undefined) return [];
  const document = documentOf(raw, resolver);
  if ('why' in document) return [cannotVerify(`${where} is ${document.why}`, where)];
  // Each statement of a list is read on its own: one the template does not fix leaves the others judged.
  const written = (document.value as { Statement?: unknown } | null)?.Statement;
  const statements = Array.isArray(written) ? written : valueOf(written, resolver);
  if (statements === undefined || statements === null || typeof statements !== 'object')
    return [cannotVerify(`${where} has no Statement list the template fixes: ${describe(document.value)}`, where)];
  const list = Array.isArray(statements) ? statements : [statements];
  const outcomes: RuleOutcome[] = [];
  list.forEach((item: unknown, i) => {
    const here = `${where}/Statement/${i}`;
    const s = valueOf(item, resolver) as Record<string, unknown> | undefined;
    if (s === undefined || s === null || typeof s !== 'object') {
      outcomes.push(cannotVerify(`statement ${i} is ${describe(item)}, which the template does not fix`, here));
      return;
    }
    const name = typeof s.Sid === 'string' ? `statement ${s.Sid}` : `statement ${i}`;
    const effect = valueOf(s.Effect, resolver);
    if (effect === 'Deny') return;
    if (effect !== 'Allow') {
      outcomes.push(cannotVerify(`${name}: an Effect the template does not fix (${describe(s.Effect)})`, here));
      return;
    }
    const scope = scoping(s.Condition, resolver);
    if (scope === 'scoped') return;
    const everyone = s.NotPrincipal !== undefined ? true : namesEveryone(s.Principal, resolver);
    if (everyone === undefined) outcomes.push(cannotVerify(`${name}: a principal the template does not fix`, here));
    else if (everyone && scope === 'unknown')
      outcomes.push(cannotVerify(`${name} allows every principal, under a condition the template does not fix`, here));
    else if (everyone && s.NotPrincipal !== undefined)
      outcomes.push(fail(`${name} allows everyone but NotPrincipal, with no condition to an account`, here));
    else if (everyone)
      outcomes.push(fail(`${name} allows Principal * with no condition to an account or organization`, here));
  });
  return outcomes.length > 0 ? outcomes : [pass('no statement allows every principal unconditionally', where)];
}

/**
 * SS-IAM-001: no key policy or secret policy allows every AWS principal. A key anyone may use decrypts the database's
 * storage, snapshots and secrets wherever they are copied; a secret anyone may read is the database's password.
 */
export const noPublicResourcePolicy: PolicyRule = {
  id: 'SS-IAM-001',
  title: 'No key or secret policy allows every AWS principal',
  rationale:
    "A resource policy statement that allows Principal * with no condition tying it to the team's account or organization lets any AWS account use the key or read the secret. A condition ties it only when it requires concrete values (StringEquals, ArnLike, IpAddress ... of a fixed account, organization or network); a negation, Null, IfExists or ForAllValues operator, or a wildcard account, admits requests from anywhere.",
  fix: 'Name the principals (the account root, roles), or add a StringEquals condition on aws:PrincipalAccount, aws:PrincipalOrgID or kms:CallerAccount with concrete values; for secrets keep BlockPublicPolicy on.',
  severity: { dev: 'error', staging: 'error', prod: 'error' },
  unacknowledgeableIn: ['prod'],
  resourceTypes: ['AWS::KMS::Key', 'AWS::KMS::ReplicaKey', 'AWS::SecretsManager::ResourcePolicy'],
  evaluate(resource, { resolver }) {
    const p = props(resource);
    if (resource.Type !== 'AWS::SecretsManager::ResourcePolicy')
      return judgeDocument(p.KeyPolicy, 'Properties/KeyPolicy', resolver);
    // Secrets Manager refuses a broad policy at deploy unless BlockPublicPolicy is turned off.
    const block = booleanOf(p.BlockPublicPolicy, resolver, true);
    if (!block.known) return [cannotVerify(`BlockPublicPolicy is ${block.why}`, 'Properties/BlockPublicPolicy')];
    if (block.value) return [pass('BlockPublicPolicy on: Secrets Manager refuses a policy open to everyone')];
    return judgeDocument(p.ResourcePolicy, 'Properties/ResourcePolicy', resolver);
  },
};
