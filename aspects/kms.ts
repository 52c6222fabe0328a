/**
 * Whose key encrypts a resource: a customer-managed key the app defines (in this stack or a sibling), an AWS-managed
 * key in any spelling (`alias/aws/rds`, its ARN, built with `Fn::Join` or `Fn::Sub`, or the property left out), or a
 * key outside the app that synthesis cannot classify.
 */
import { describeShort, Resolved, Resolver, viaText } from './resolve';
import type { TemplateResource } from './template';
import { RuleOutcome, cannotVerify, fail, pass } from './rule';

export type KeyVerdict =
  | { readonly kind: 'customer-managed'; readonly evidence: string }
  | { readonly kind: 'aws-managed'; readonly evidence: string }
  | { readonly kind: 'unknown'; readonly evidence: string };

const CUSTOMER_MANAGED_TYPES = new Set(['AWS::KMS::Key', 'AWS::KMS::ReplicaKey']);
const AWS_MANAGED = /(^|[:/])alias\/aws\//i;

/**
 * Classifies the key behind `value` (a key id, ARN or alias, as CloudFormation takes it). `awsManagedDefault` names the
 * key the service uses when the property is left out, e.g. `aws/rds`.
 */
export function classifyKey(
  property: string,
  value: unknown,
  resolver: Resolver,
  awsManagedDefault: string,
): KeyVerdict {
  if (value === undefined) {
    return { kind: 'aws-managed', evidence: `${property} not set (the AWS-managed key ${awsManagedDefault})` };
  }
  const r = resolver.resolve(value);
  if (r.kind === 'unknown') return { kind: 'unknown', evidence: `${property} is ${r.why}` };
  if (r.kind === 'resource') {
    const where = r.stack === resolver.stack ? '' : ` of stack ${r.stack}`;
    if (CUSTOMER_MANAGED_TYPES.has(r.type)) {
      return { kind: 'customer-managed', evidence: `${property}=${r.logicalId} (${r.type}${where})${viaText(r)}` };
    }
    if (r.type === 'AWS::KMS::Alias')
      return aliasKey(`${property}=${r.logicalId} (${r.type}${where})${viaText(r)}`, r, resolver);
    return { kind: 'unknown', evidence: `${property} points at ${r.logicalId} (${r.type}), not a KMS key` };
  }
  const text = r.kind === 'literal' ? String(r.value) : r.text;
  if (AWS_MANAGED.test(text)) {
    return { kind: 'aws-managed', evidence: `${property}=${describeShort(text)} (AWS-managed)${viaText(r)}` };
  }
  // Only text written in this template: a `${Id}` reached through an import or a parent's parameter is another's.
  const alias = r.via.length === 0 ? aliasOfTemplate(text, resolver) : undefined;
  if (alias)
    return aliasKey(`${property}=${describeShort(text)}, the alias ${alias.logicalId}${viaText(r)}`, alias, resolver);
  return {
    kind: 'unknown',
    evidence: `${property}=${describeShort(text)}: a key outside this app, which synthesis cannot tell customer-managed from AWS-managed${viaText(r)}`,
  };
}

/**
 * An alias of the template named by its name or by its ARN in the stack's own account and Region (an L2 alias's
 * `keyArn`): `alias/db`, `arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/db`, or the same with the
 * alias's `Ref` (its name) in place of `alias/db`; a stack of a fixed account and Region writes those in place of
 * `${AWS::AccountId}` and `${AWS::Region}`. Aliases belong to one account and Region, so a name is matched only against
 * the aliases this template creates, and an ARN of any other account or Region is not taken for one.
 */
function aliasOfTemplate(text: string, resolver: Resolver): Extract<Resolved, { kind: 'resource' }> | undefined {
  const [account, region] = resolver.environmentKey.split('/').map((part, i) => {
    const pseudo = i === 0 ? '\\$\\{AWS::AccountId\\}' : '\\$\\{AWS::Region\\}';
    return part === '*' ? pseudo : `(?:${pseudo}|${part.replace(/[^A-Za-z0-9-]/g, '')})`;
  });
  const m = new RegExp(
    `^(?:arn:\\$\\{AWS::Partition\\}:kms:${region}:${account}:)?(?:\\$\\{([A-Za-z0-9]+)\\}|(alias\\/[A-Za-z0-9/_-]+))$`,
  ).exec(text);
  if (!m) return undefined;
  const resources = resolver.template.Resources ?? {};
  const id = m[1] ?? Object.keys(resources).find((k) => isAliasNamed(resources[k], m[2], resolver));
  const found = id !== undefined ? resolver.resolve({ Ref: id }) : undefined;
  return found?.kind === 'resource' && found.type === 'AWS::KMS::Alias' && found.resource.Condition === undefined
    ? found
    : undefined;
}

function isAliasNamed(resource: TemplateResource, name: string, resolver: Resolver): boolean {
  if (resource.Type !== 'AWS::KMS::Alias' || resource.Condition !== undefined) return false;
  const aliasName = resolver.resolve(resource.Properties?.AliasName);
  return aliasName.kind === 'literal' && aliasName.value === name;
}

/**
 * An alias is the key it targets (AWS keeps `alias/aws/` for its own keys; a template's alias always names a customer
 * key). That key is the app's only when the app defines it; one outside the app has a rotation and a policy synthesis
 * cannot see, exactly as if its ARN were written in place of the alias.
 */
function aliasKey(alias: string, r: Extract<Resolved, { kind: 'resource' }>, resolver: Resolver): KeyVerdict {
  const written = r.resource.Properties?.TargetKeyId;
  const target = r.resolver.resolve(written);
  if (target.kind === 'resource' && CUSTOMER_MANAGED_TYPES.has(target.type)) {
    const of = target.stack === resolver.stack ? '' : ` of stack ${target.stack}`;
    return { kind: 'customer-managed', evidence: `${alias}, an alias of ${target.logicalId}${of}${viaText(target)}` };
  }
  const named =
    target.kind === 'unknown'
      ? target.why
      : describeShort(target.kind === 'literal' ? target.value : target.kind === 'expression' ? target.text : written);
  return {
    kind: 'unknown',
    evidence: `${alias}, which targets ${named}: a key outside this app, whose rotation and policy synthesis cannot see`,
  };
}

/** A rule's outcome for a key: customer-managed passes, AWS-managed fails, anything else cannot be verified. */
export function keyOutcome(key: KeyVerdict, where: string, prefix = ''): RuleOutcome {
  const evidence = `${prefix}${key.evidence}`;
  if (key.kind === 'customer-managed') return pass(evidence, where);
  return key.kind === 'aws-managed' ? fail(evidence, where) : cannotVerify(evidence, where);
}
