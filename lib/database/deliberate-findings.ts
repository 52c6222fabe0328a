/**
 * Findings the database platform produces on purpose, each accepted on the narrowest construct with the reason an
 * auditor needs. Environment-dependent ones are acknowledged only where the profile makes them occur, so none goes stale;
 * prod never acknowledges a single-AZ or unprotected database.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { acknowledge } from '../../aspects/acknowledgements';
import { secretRotation } from '../../aspects/rules/secrets/rotation';
import type { NagPackName } from '../profiles';
import type { DatabasePlatform } from './platform';

/** The last day the kit's own acknowledgements count; they are reviewed and renewed yearly. */
export const KIT_ACKNOWLEDGEMENTS_EXPIRE = '2027-11-30';

const OWNER = 'spendsense-platform';

export function acknowledgeDeliberateFindings(platform: DatabasePlatform): void {
  const { profile, database, connectionSecret, vpc, proxy } = platform;
  const packs = nagPrefixes(profile.nagPacks);
  const ack = (scope: Construct, ruleId: string, reason: string) =>
    acknowledge(scope, { ruleId, reason, owner: OWNER, expires: KIT_ACKNOWLEDGEMENTS_EXPIRE });
  const forEachPack = (scope: Construct, rule: string, reason: string, from: string[] = packs.compliance) =>
    from.forEach((prefix) => ack(scope, `${prefix}-${rule}`, reason));

  const monitoringRole = database.node.tryFindChild('MonitoringRole');
  if (monitoringRole) {
    ack(
      monitoringRole,
      'AwsSolutions-IAM4',
      'Enhanced monitoring needs the AWS-managed AmazonRDSEnhancedMonitoringRole policy; it only lets RDS publish OS metrics to CloudWatch Logs.',
    );
  }
  if (profile.port === 5432) {
    ack(
      database,
      'AwsSolutions-RDS11',
      'The default PostgreSQL port is kept for client compatibility; the instance is reachable only from named security groups in isolated subnets, so a non-default port would add no protection.',
    );
  }
  const derived =
    'Holds a derived copy of the rotated credentials, rewritten by npm run secret:sync after every rotation; rotating it separately would desynchronise the two.';
  ack(connectionSecret, 'AwsSolutions-SMG4', derived);
  forEachPack(connectionSecret, 'SecretsManagerRotationEnabled', derived, packs.rotation);
  if (secretRotation.severity[profile.name] !== 'off') ack(connectionSecret, secretRotation.id, derived);
  forEachPack(
    database,
    'RDSInBackupPlan',
    `Protected by RDS automated backups with ${profile.backupRetentionDays}-day point-in-time recovery and snapshot-on-delete; an AWS Backup plan would duplicate them.`,
    packs.backupPlan,
  );
  const inlinePolicy =
    'CDK-generated least-privilege policy scoped to this stack’s own resources; a managed policy would be shared and broader.';
  // Only a VPC the platform created is its to answer for; a team's own or a looked-up VPC is judged as its owner left it.
  if (vpc instanceof ec2.Vpc && vpc.node.scope === platform) {
    forEachPack(
      vpc,
      'VPCDefaultSecurityGroupClosed',
      "No resource in this stack uses the VPC's default security group; closing it needs a custom-resource Lambda that adds more attack surface than it removes.",
    );
    forEachPack(vpc.node.findChild('FlowLog'), 'IAMNoInlinePolicy', inlinePolicy);
  }
  if (proxy) forEachPack(proxy, 'IAMNoInlinePolicy', inlinePolicy);
  // prod may not acknowledge these: there the findings must fail synth.
  if (!profile.multiAz && profile.name !== 'prod') {
    const reason = `Single-AZ by the ${profile.name} profile to keep a non-production environment cheap; prod is Multi-AZ and cannot acknowledge this.`;
    ack(database, 'AwsSolutions-RDS3', reason);
    forEachPack(database, 'RDSMultiAZSupport', reason, packs.multiAz);
  }
  if (!profile.deletionProtection && profile.name !== 'prod') {
    const reason = `Deletion protection is off by the ${profile.name} profile so the environment can be torn down; a snapshot is still taken on delete.`;
    ack(database, 'AwsSolutions-RDS10', reason);
    forEachPack(database, 'RDSInstanceDeletionProtectionEnabled', reason, packs.deletionProtection);
  }
  if (profile.allowedCidrs.length > 0 && profile.name === 'dev') {
    ack(
      platform.databaseSecurityGroup,
      'AwsSolutions-EC23',
      'Developer access CIDRs in dev are judged by SS-EC2-001: a single host is allowed, anything wider is a warning.',
    );
  }
}

/** cdk-nag rule prefixes of the selected packs, grouped by which of them carry a given rule. */
function nagPrefixes(packs: readonly NagPackName[]) {
  const has = (p: string) => packs.includes(p as NagPackName);
  const prefix: Record<string, string> = {
    HIPAA: 'HIPAA.Security',
    NIST80053R5: 'NIST.800.53.R5',
    PCIDSS321: 'PCI.DSS.321',
  };
  const pick = (...names: string[]) => names.filter(has).map((n) => prefix[n]);
  return {
    compliance: pick('HIPAA', 'NIST80053R5', 'PCIDSS321'),
    rotation: pick('HIPAA', 'NIST80053R5'),
    backupPlan: pick('HIPAA', 'NIST80053R5'),
    multiAz: pick('HIPAA', 'NIST80053R5'),
    deletionProtection: pick('HIPAA', 'NIST80053R5'),
  };
}
