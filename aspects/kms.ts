/**
 * Whose key encrypts a resource: a customer-managed key the app defines (in this stack or a sibling), an AWS-managed
 * key in any spelling (`alias/aws/rds`, its ARN, built with `Fn::Join` or `Fn::Sub`, or the property left out), or a
 * key outside the app that synthesis cannot classify.
 */
import { describeShort, Resolver, viaText } from './resolve';
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
    // Names under alias/aws/ are reserved for AWS: an alias the template creates always names a customer key.
    if (r.type === 'AWS::KMS::Alias') {
      return { kind: 'customer-managed', evidence: `${property}=${r.logicalId} (${r.type}${where})${viaText(r)}` };
    }
    return { kind: 'unknown', evidence: `${property} points at ${r.logicalId} (${r.type}), not a KMS key` };
  }
  const text = r.kind === 'literal' ? String(r.value) : r.text;
  if (AWS_MANAGED.test(text)) {
    return { kind: 'aws-managed', evidence: `${property}=${describeShort(text)} (AWS-managed)${viaText(r)}` };
  }
  return {
    kind: 'unknown',
    evidence: `${property}=${describeShort(text)}: a key outside this app, which synthesis cannot tell customer-managed from AWS-managed${viaText(r)}`,
  };
}

/** A rule's outcome for a key: customer-managed passes, AWS-managed fails, anything else cannot be verified. */
export function keyOutcome(key: KeyVerdict, where: string, prefix = ''): RuleOutcome {
  const evidence = `${prefix}${key.evidence}`;
  if (key.kind === 'customer-managed') return pass(evidence, where);
  return key.kind === 'aws-managed' ? fail(evidence, where) : cannotVerify(evidence, where);
}
