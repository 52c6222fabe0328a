import { classifyKey, keyOutcome } from '../../kms';
import type { Resolver } from '../../resolve';
import { PolicyRule, RuleOutcome, cannotVerify, clusterMembership, fail, pass, props } from '../../rule';
import { booleanOf, describe, intrinsic, stringOf } from '../../template';
import { referencedSecret } from './referenced-secret';

/**
 * The keys of a secret's replicas (`ReplicaRegions`): each replica is encrypted in its Region with the key named for it,
 * or with that Region's `aws/secretsmanager` when none is. A key of the app is in the stack's own Region: only a
 * multi-Region one names a key there too (its replica key, customer-managed, with the same id), so any other cannot be
 * verified.
 */
function replicaOutcomes(replicas: unknown, resolver: Resolver): RuleOutcome[] {
  if (replicas === undefined) return [];
  const where = 'Properties/ReplicaRegions';
  if (!Array.isArray(replicas)) return [cannotVerify(`ReplicaRegions is ${describe(replicas)}`, where)];
  return replicas.map((replica: unknown, i): RuleOutcome => {
    const here = `${where}/${i}/KmsKeyId`;
    if (replica === null || typeof replica !== 'object' || Array.isArray(replica) || intrinsic(replica))
      return cannotVerify(`replica ${i} is ${describe(replica)}`, `${where}/${i}`);
    const r = replica as Record<string, unknown>;
    const region = stringOf(r.Region, resolver);
    const prefix = `the replica in ${region.known ? region.value : describe(r.Region)}: `;
    if (r.KmsKeyId === undefined)
      return fail(`${prefix}KmsKeyId not set (the AWS-managed key aws/secretsmanager)`, here);
    const key = classifyKey('KmsKeyId', r.KmsKeyId, resolver, 'aws/secretsmanager');
    if (key.kind !== 'customer-managed') return keyOutcome(key, here, prefix);
    const target = resolver.resolve(r.KmsKeyId);
    const multiRegion =
      target.kind === 'resource' &&
      target.type === 'AWS::KMS::Key' &&
      booleanOf(target.resource.Properties?.MultiRegion, target.resolver, false);
    if (multiRegion && multiRegion.known && multiRegion.value)
      return pass(`${prefix}${key.evidence}, a multi-Region key whose replica key there has the same id`, here);
    return cannotVerify(
      `${prefix}${key.evidence}: a key of the stack's own Region, which cannot encrypt a replica elsewhere unless it is multi-Region`,
      here,
    );
  });
}

/**
 * The secret a master password is read from: a secret of the app is judged on its own; one outside it (a name, an
 * ARN, an imported L2 secret) has a key the gate cannot read.
 */
function masterPasswordSecret(password: unknown, resolver: Resolver): RuleOutcome[] {
  const secret = password === undefined ? undefined : referencedSecret(password, resolver);
  const where = 'Properties/MasterUserPassword';
  if (!secret) return [];
  if (secret.kind === 'app') {
    const stack = secret.stack === resolver.stack ? '' : ` of ${secret.stack}`;
    return [pass(`the master password's secret ${secret.logicalId}${stack}, judged on its own`, where)];
  }
  return [
    cannotVerify(
      `the master password is read from ${secret.named}, a secret outside this app whose key the gate cannot read`,
      where,
    ),
  ];
}

/** SS-SM-001: secrets are encrypted with a customer-managed key. */
export const secretEncryption: PolicyRule = {
  id: 'SS-SM-001',
  title: 'Secrets are encrypted with a customer-managed KMS key',
  equivalents: ['*-SecretsManagerUsingKMSKey'],
  rationale:
    'With a customer-managed key, reading a secret needs both Secrets Manager and KMS permissions the team grants, and every decryption is logged against that key.',
  fix: 'Pass encryptionKey: <your kms.Key> to the Secret (or to Credentials.fromGeneratedSecret); for a password RDS manages, set MasterUserSecret.KmsKeyId to that key.',
  severity: { dev: 'error', staging: 'error', prod: 'error' },
  unacknowledgeableIn: ['prod'],
  resourceTypes: ['AWS::SecretsManager::Secret', 'AWS::RDS::DBInstance', 'AWS::RDS::DBCluster'],
  evaluate(resource, context) {
    const { resolver } = context;
    const p = props(resource);
    if (resource.Type === 'AWS::SecretsManager::Secret') {
      return [
        keyOutcome(classifyKey('KmsKeyId', p.KmsKeyId, resolver, 'aws/secretsmanager'), 'Properties/KmsKeyId'),
        ...replicaOutcomes(p.ReplicaRegions, resolver),
      ];
    }
    // A database whose master password RDS manages keeps it in a secret of its own, under MasterUserSecret's key.
    if (clusterMembership(resource, context) !== 'none') return [];
    const managed = booleanOf(p.ManageMasterUserPassword, resolver, false);
    if (!managed.known)
      return [cannotVerify(`ManageMasterUserPassword is ${managed.why}`, 'Properties/ManageMasterUserPassword')];
    if (!managed.value) return masterPasswordSecret(p.MasterUserPassword, resolver);
    const secret = p.MasterUserSecret as Record<string, unknown> | undefined;
    const key = classifyKey('MasterUserSecret.KmsKeyId', secret?.KmsKeyId, resolver, 'aws/secretsmanager');
    return [keyOutcome(key, 'Properties/MasterUserSecret/KmsKeyId', 'the RDS-managed master secret: ')];
  },
};
