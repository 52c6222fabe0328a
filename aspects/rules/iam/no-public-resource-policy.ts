import type { Resolver } from '../../resolve';
import { PolicyRule, RuleOutcome, cannotVerify, fail, pass, props } from '../../rule';
import { booleanOf, describe } from '../../template';

/** Condition keys that tie a statement to an account, an organization or a network of the team's. */
const SCOPING_KEYS =
  /^(aws:(PrincipalAccount|PrincipalOrgID|PrincipalOrgPaths|PrincipalArn|SourceAccount|SourceOrgID|SourceArn|SourceVpce?|VpcSourceIp)|kms:CallerAccount)$/i;

/** Whether a principal value names everyone: `*`, or `AWS: *` among others. */
function namesEveryone(principal: unknown, resolver: Resolver): boolean | undefined {
  if (principal === '*') return true;
  if (principal === null || typeof principal !== 'object') return false;
  const aws = (principal as Record<string, unknown>).AWS;
  if (aws === undefined) return false;
  const list = Array.isArray(aws) ? aws : [aws];
  let unknown = false;
  for (const p of list) {
    const r = resolver.resolve(p);
    if (r.kind === 'literal') {
      if (r.value === '*') return true;
    } else if (r.kind === 'unknown') unknown = true;
  }
  return unknown ? undefined : false;
}

/** Whether a condition block holds a key that scopes the statement (under any operator). */
function scoped(condition: unknown): boolean {
  if (condition === null || typeof condition !== 'object') return false;
  return Object.values(condition as Record<string, unknown>).some(
    (block) => block !== null && typeof block === 'object' && Object.keys(block).some((k) => SCOPING_KEYS.test(k)),
  );
}

/** The Allow statements of a policy document that let anyone in, as outcomes. */
function judgeDocument(document: unknown, where: string, resolver: Resolver): RuleOutcome[] {
  const statements = (document as { Statement?: unknown } | undefined)?.Statement;
  if (statements === undefined) return [];
  if (!Array.isArray(statements) && (statements === null || typeof statements !== 'object'))
    return [cannotVerify(`${where} is ${describe(document)}`, where)];
  const list = Array.isArray(statements) ? statements : [statements];
  const outcomes: RuleOutcome[] = [];
  list.forEach((s: Record<string, unknown> | null, i) => {
    if (s === null || typeof s !== 'object' || s.Effect !== 'Allow') return;
    const here = `${where}/Statement/${i}`;
    const name = typeof s.Sid === 'string' ? `statement ${s.Sid}` : `statement ${i}`;
    if (s.NotPrincipal !== undefined && !scoped(s.Condition)) {
      outcomes.push(fail(`${name} allows everyone but NotPrincipal, with no condition to an account`, here));
      return;
    }
    const everyone = namesEveryone(s.Principal, resolver);
    if (everyone === undefined) outcomes.push(cannotVerify(`${name}: a principal the template does not fix`, here));
    else if (everyone && !scoped(s.Condition))
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
    "A resource policy statement that allows Principal * with no condition tying it to the team's account or organization lets any AWS account use the key or read the secret.",
  fix: 'Name the principals (the account root, roles), or add a condition on aws:PrincipalAccount, aws:PrincipalOrgID or kms:CallerAccount; for secrets keep BlockPublicPolicy on.',
  severity: { dev: 'error', staging: 'error', prod: 'error' },
  unacknowledgeableIn: ['prod'],
  resourceTypes: ['AWS::KMS::Key', 'AWS::SecretsManager::ResourcePolicy'],
  evaluate(resource, { resolver }) {
    const p = props(resource);
    if (resource.Type === 'AWS::KMS::Key') return judgeDocument(p.KeyPolicy, 'Properties/KeyPolicy', resolver);
    // Secrets Manager refuses a broad policy at deploy unless BlockPublicPolicy is turned off.
    const block = booleanOf(p.BlockPublicPolicy, resolver, true);
    if (!block.known) return [cannotVerify(`BlockPublicPolicy is ${block.why}`, 'Properties/BlockPublicPolicy')];
    if (block.value) return [pass('BlockPublicPolicy on: Secrets Manager refuses a policy open to everyone')];
    return judgeDocument(p.ResourcePolicy, 'Properties/ResourcePolicy', resolver);
  },
};
