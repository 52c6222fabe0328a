/**
 * The security controls of one environment, read from its rendered template, each with the kit's policy rules that
 * judge it and their worst result.
 */
import { CfnTemplate, booleanOf, describe, numberOf, referencedResource, resourcesOfType } from '../aspects/template';
import type { CheckResult } from '../aspects/types';
import type { EnvironmentProfile } from '../lib/profiles';
import type { Control, ControlStatus } from './model';

type Props = Record<string, unknown>;

const WORST: readonly ControlStatus[] = ['fail', 'cannot-verify', 'warn', 'acknowledged', 'pass'];

function show(value: unknown, template: CfnTemplate): string {
  const ref = referencedResource(value, template);
  return ref ?? describe(value);
}

function boolText(value: unknown, template: CfnTemplate, fallback: boolean): string {
  const b = booleanOf(value, template, fallback);
  return b.known ? String(b.value) : `unknown (${b.why})`;
}

function keyAliases(template: CfnTemplate): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const [, p] of resourcesOfType(template, 'AWS::KMS::Alias')) {
    const key = referencedResource(p.TargetKeyId, template);
    if (key && typeof p.AliasName === 'string') aliases.set(key, p.AliasName);
  }
  return aliases;
}

function keyText(value: unknown, template: CfnTemplate, aliases: Map<string, string>): string {
  if (value === undefined) return 'AWS-managed key';
  const key = referencedResource(value, template);
  if (key === undefined) return `key ${describe(value)}`;
  const alias = aliases.get(key);
  return `customer-managed key ${key}${alias ? ` (${alias})` : ''}`;
}

function ingressOf(groups: readonly string[], template: CfnTemplate): string[] {
  const rules: string[] = [];
  const describeRule = (p: Props) => {
    const proto = p.IpProtocol === '-1' ? 'all traffic' : `${describe(p.IpProtocol)}`;
    const ports =
      p.IpProtocol === '-1'
        ? ''
        : p.FromPort === p.ToPort
          ? ` ${describe(p.FromPort)}`
          : ` ${describe(p.FromPort)}-${describe(p.ToPort)}`;
    const from =
      p.CidrIp !== undefined
        ? describe(p.CidrIp)
        : p.CidrIpv6 !== undefined
          ? describe(p.CidrIpv6)
          : p.SourceSecurityGroupId !== undefined
            ? `security group ${show(p.SourceSecurityGroupId, template)}`
            : p.SourcePrefixListId !== undefined
              ? `prefix list ${describe(p.SourcePrefixListId)}`
              : 'unknown source';
    return `${proto}${ports} from ${from}`;
  };
  for (const group of groups) {
    const sg = template.Resources?.[group]?.Properties ?? {};
    for (const inline of Array.isArray(sg.SecurityGroupIngress) ? (sg.SecurityGroupIngress as Props[]) : []) {
      rules.push(describeRule(inline));
    }
    for (const [, p] of resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress')) {
      if (referencedResource(p.GroupId, template) === group) rules.push(describeRule(p));
    }
  }
  return [...new Set(rules)].sort();
}

function groupsOf(value: unknown, template: CfnTemplate): string[] {
  return (Array.isArray(value) ? value : [])
    .map((v) => referencedResource(v, template))
    .filter((v): v is string => v !== undefined);
}

/** The secret a rotation schedule rotates, through a target attachment when there is one. */
function rotatedSecret(secretId: unknown, template: CfnTemplate): string | undefined {
  const id = referencedResource(secretId, template);
  if (id === undefined) return undefined;
  const r = template.Resources?.[id];
  if (r?.Type === 'AWS::SecretsManager::SecretTargetAttachment') {
    return referencedResource(r.Properties?.SecretId, template);
  }
  return id;
}

function statusOf(ruleIds: readonly string[], results: readonly CheckResult[]): ControlStatus {
  const found = results.filter((r) => ruleIds.includes(r.ruleId)).map((r) => r.status);
  if (found.length === 0) return 'not-evaluated';
  return WORST.find((s) => found.includes(s as CheckResult['status'])) ?? 'pass';
}

/** Controls of one environment's template; `results` are this environment's policy results. */
export function securityControls(
  template: CfnTemplate,
  profile: EnvironmentProfile,
  results: readonly CheckResult[],
): Control[] {
  const controls: Control[] = [];
  const add = (control: string, value: string, evidence: string, rules: string[]) =>
    controls.push({ control, value, evidence, rules, status: statusOf(rules, results) });
  const aliases = keyAliases(template);
  const dbs = resourcesOfType(template, 'AWS::RDS::DBInstance');
  const each = (f: (id: string, p: Props) => string) => dbs.map(([id, p]) => f(id, p)).join('; ') || 'no DB instance';
  const ids = (prop: string) => dbs.map(([id]) => `${id}.${prop}`).join(', ') || '-';

  add(
    'Storage encryption and key',
    each(
      (_, p) =>
        `${boolText(p.StorageEncrypted, template, false) === 'true' ? 'encrypted' : 'NOT encrypted'} with ${keyText(p.KmsKeyId, template, aliases)}`,
    ),
    `${ids('StorageEncrypted')}, ${ids('KmsKeyId')}`,
    ['SS-RDS-003'],
  );
  const secrets = resourcesOfType(template, 'AWS::SecretsManager::Secret');
  add(
    'Secret encryption',
    secrets.map(([id, p]) => `${describe(p.Name ?? id)}: ${keyText(p.KmsKeyId, template, aliases)}`).join('; ') ||
      'no secrets',
    secrets.map(([id]) => `${id}.KmsKeyId`).join(', ') || '-',
    ['SS-SM-001'],
  );
  const keys = resourcesOfType(template, 'AWS::KMS::Key');
  add(
    'Key rotation',
    keys
      .map(([id, p]) => {
        const on = boolText(p.EnableKeyRotation, template, false);
        const days = numberOf(p.RotationPeriodInDays, template, 365);
        return `${id}: ${on === 'true' ? `on, every ${days.known ? days.value : '?'} days` : on === 'false' ? 'off' : on}`;
      })
      .join('; ') || 'no KMS keys',
    keys.map(([id]) => `${id}.EnableKeyRotation`).join(', ') || '-',
    ['SS-KMS-001'],
  );
  add(
    'Multi-AZ',
    each((_, p) => boolText(p.MultiAZ, template, false)),
    ids('MultiAZ'),
    ['SS-RDS-002'],
  );
  add(
    'Deletion protection',
    each((id, p) => {
      const policy = template.Resources?.[id]?.DeletionPolicy;
      return `DeletionProtection=${boolText(p.DeletionProtection, template, false)}, DeletionPolicy=${describe(policy ?? 'Delete')}`;
    }),
    `${ids('DeletionProtection')}, DeletionPolicy`,
    ['SS-RDS-001', 'SS-RDS-007'],
  );
  add(
    'Backup retention',
    each((_, p) => {
      const days = numberOf(p.BackupRetentionPeriod, template, 1);
      return `${days.known ? `${days.value} days` : `unknown (${days.why})`} (policy minimum for ${profile.name}: ${profile.minBackupRetentionDays})`;
    }),
    ids('BackupRetentionPeriod'),
    ['SS-RDS-006'],
  );
  const tls: string[] = [];
  for (const [id, p] of dbs) {
    const group = referencedResource(p.DBParameterGroupName, template);
    const params = (group ? template.Resources?.[group]?.Properties?.Parameters : undefined) as Props | undefined;
    tls.push(`${id}: rds.force_ssl=${describe(params?.['rds.force_ssl'] ?? 'not set')}${group ? ` (${group})` : ''}`);
  }
  for (const [id, p] of resourcesOfType(template, 'AWS::RDS::DBProxy')) {
    tls.push(`${id}: RequireTLS=${boolText(p.RequireTLS, template, false)}`);
  }
  add('TLS', tls.join('; ') || 'no database', 'DBParameterGroup Parameters, DBProxy.RequireTLS', ['SS-RDS-005']);
  add(
    'Public access',
    each((_, p) => `PubliclyAccessible=${boolText(p.PubliclyAccessible, template, false)}`),
    ids('PubliclyAccessible'),
    ['SS-RDS-004'],
  );
  const ingress: string[] = [];
  for (const [id, p] of dbs) {
    const rules = ingressOf(groupsOf(p.VPCSecurityGroups, template), template);
    ingress.push(`${id}: ${rules.join(', ') || 'none'}`);
  }
  for (const [id, p] of resourcesOfType(template, 'AWS::RDS::DBProxy')) {
    const rules = ingressOf(groupsOf(p.VpcSecurityGroupIds, template), template);
    ingress.push(`${id}: ${rules.join(', ') || 'none'}`);
  }
  add('Ingress sources', ingress.join('; ') || 'no database', 'security groups of the database and proxy', [
    'SS-EC2-001',
  ]);
  const schedules = resourcesOfType(template, 'AWS::SecretsManager::RotationSchedule');
  add(
    'Secret rotation',
    secrets
      .map(([id, p]) => {
        const schedule = schedules.find(([, s]) => rotatedSecret(s.SecretId, template) === id);
        const rules = schedule?.[1].RotationRules as Props | undefined;
        const hosted = schedule?.[1].HostedRotationLambda as Props | undefined;
        const every =
          rules?.ScheduleExpression !== undefined
            ? describe(rules.ScheduleExpression)
            : rules?.AutomaticallyAfterDays !== undefined
              ? `every ${describe(rules.AutomaticallyAfterDays)} days`
              : 'scheduled';
        return `${describe(p.Name ?? id)}: ${schedule ? `${every}${hosted?.RotationType ? `, ${describe(hosted.RotationType)}` : ''}` : 'not rotated'}`;
      })
      .join('; ') || 'no secrets',
    'AWS::SecretsManager::RotationSchedule',
    ['SS-SM-002'],
  );
  add(
    'IAM database authentication',
    each((_, p) => boolText(p.EnableIAMDatabaseAuthentication, template, false)),
    ids('EnableIAMDatabaseAuthentication'),
    [],
  );
  return controls;
}
