/** The kit's policy catalogue, in the order it is documented and reported. */
import type { PolicyRule } from '../rule';
import { customResourceSettings } from './cfn/custom-resource';
import { customResourceUnwaivableSettings } from './cfn/custom-resource-unwaivable';
import { judgeableTemplate } from './cfn/judgeable-template';
import { judgedNestedStack } from './cfn/nested-stack';
import { dataMigrationReviewed } from './db/data-migration';
import { otherDatabaseService } from './db/other-service';
import { otherDatabaseNotPublic } from './db/other-service-public';
import { noOpenIngress } from './ec2/no-open-ingress';
import { noOpenEndpointService } from './elb/endpoint-service';
import { noPublicDatabaseListener } from './elb/no-public-database-listener';
import { noPublicResourcePolicy } from './iam/no-public-resource-policy';
import { keyRotation } from './kms/key-rotation';
import { logGroupEncryption } from './logs/log-group-encryption';
import { backupReplicationKey } from './rds/backup-replication-key';
import { backupRetention } from './rds/backup-retention';
import { dataApiReviewed } from './rds/data-api';
import { deletionPolicy } from './rds/deletion-policy';
import { deletionProtection } from './rds/deletion-protection';
import { multiAz } from './rds/multi-az';
import { notPubliclyAccessible } from './rds/not-public';
import { ownSecurityGroups } from './rds/own-security-groups';
import { performanceInsightsKey } from './rds/performance-insights-key';
import { privateSubnets } from './rds/private-subnets';
import { proxyDebugLogging } from './rds/proxy-debug-logging';
import { proxyTls } from './rds/proxy-tls';
import { storageEncryption } from './rds/storage-encryption';
import { tlsForced } from './rds/tls-forced';
import { zeroEtlIntegration } from './rds/zero-etl-integration';
import { secretEncryption } from './secrets/cmk-encryption';
import { masterPasswordInSecretsManager } from './secrets/master-password';
import { secretRotation } from './secrets/rotation';
import { secretValueNotCopied } from './secrets/secret-value-copied';

export const RULES: readonly PolicyRule[] = [
  deletionProtection,
  multiAz,
  storageEncryption,
  notPubliclyAccessible,
  tlsForced,
  backupRetention,
  deletionPolicy,
  proxyTls,
  proxyDebugLogging,
  privateSubnets,
  performanceInsightsKey,
  zeroEtlIntegration,
  dataApiReviewed,
  backupReplicationKey,
  ownSecurityGroups,
  otherDatabaseService,
  otherDatabaseNotPublic,
  dataMigrationReviewed,
  noOpenIngress,
  noPublicDatabaseListener,
  noOpenEndpointService,
  keyRotation,
  noPublicResourcePolicy,
  secretEncryption,
  secretRotation,
  masterPasswordInSecretsManager,
  secretValueNotCopied,
  logGroupEncryption,
  judgeableTemplate,
  judgedNestedStack,
  customResourceSettings,
  customResourceUnwaivableSettings,
];

export {
  customResourceSettings,
  customResourceUnwaivableSettings,
  dataMigrationReviewed,
  judgeableTemplate,
  judgedNestedStack,
  logGroupEncryption,
  performanceInsightsKey,
  privateSubnets,
  proxyDebugLogging,
  proxyTls,
  ownSecurityGroups,
  backupReplicationKey,
  backupRetention,
  dataApiReviewed,
  deletionPolicy,
  deletionProtection,
  keyRotation,
  masterPasswordInSecretsManager,
  multiAz,
  noOpenEndpointService,
  noOpenIngress,
  noPublicDatabaseListener,
  noPublicResourcePolicy,
  notPubliclyAccessible,
  otherDatabaseNotPublic,
  otherDatabaseService,
  secretEncryption,
  secretRotation,
  secretValueNotCopied,
  storageEncryption,
  tlsForced,
  zeroEtlIntegration,
};
