import { PolicyRule, cannotVerify, clusterMembership, fail, pass, props } from '../../rule';
import { SECRETS_MANAGER_REFERENCE, booleanOf } from '../../template';

/**
 * SS-SM-003: the database's master password comes from Secrets Manager (a generated secret, or one RDS manages). A
 * password written in the template, or passed as a parameter, is in cdk.out and the deploy history, rotates never,
 * and no key policy guards it. The evidence never shows the value.
 */
export const masterPasswordInSecretsManager: PolicyRule = {
  id: 'SS-SM-003',
  title: 'Database master password comes from Secrets Manager',
  rationale:
    'A password in the template or a parameter is stored in cdk.out, the CloudFormation deploy history and every copy of them, and never rotates; a Secrets Manager secret is resolved at deploy time and rotated.',
  fix: "Use credentials: rds.Credentials.fromGeneratedSecret(user, { encryptionKey }) (or the kit's DatabasePlatform), or ManageMasterUserPassword with MasterUserSecret.KmsKeyId.",
  severity: { dev: 'error', staging: 'error', prod: 'error' },
  unacknowledgeableIn: ['prod'],
  resourceTypes: ['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster'],
  evaluate(resource, context) {
    if (clusterMembership(resource, context) !== 'none') return [];
    const p = props(resource);
    const where = 'Properties/MasterUserPassword';
    if (p.MasterUserPassword === undefined) {
      const managed = booleanOf(p.ManageMasterUserPassword, context.resolver, false);
      return managed.known && managed.value
        ? [pass('ManageMasterUserPassword=true (a secret RDS manages)', where)]
        : [];
    }
    const r = context.resolver.resolve(p.MasterUserPassword);
    const text = r.kind === 'literal' ? r.value : r.kind === 'expression' ? r.text : undefined;
    if (typeof text === 'string' && SECRETS_MANAGER_REFERENCE.exec(text)?.index === 0)
      return [pass('MasterUserPassword is a Secrets Manager dynamic reference', where)];
    if (typeof text === 'string' && /^\{\{resolve:ssm-secure:/.test(text))
      return [fail('MasterUserPassword is an SSM SecureString: no rotation, no Secrets Manager key policy', where)];
    if (r.kind === 'literal') return [fail('MasterUserPassword is written in the template (value not shown)', where)];
    const ref = p.MasterUserPassword as Record<string, unknown> | null;
    if (ref !== null && typeof ref === 'object' && 'Ref' in ref)
      return [fail(`MasterUserPassword is the parameter ${String(ref.Ref)}, outside Secrets Manager`, where)];
    return [
      cannotVerify('MasterUserPassword is a value the template does not show to come from Secrets Manager', where),
    ];
  },
};
