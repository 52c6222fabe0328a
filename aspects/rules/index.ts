/** The kit's policy catalogue, in the order it is documented and reported. */
import type { PolicyRule } from '../rule';
import { noOpenIngress } from './ec2/no-open-ingress';
import { keyRotation } from './kms/key-rotation';
import { backupRetention } from './rds/backup-retention';
import { deletionPolicy } from './rds/deletion-policy';
import { deletionProtection } from './rds/deletion-protection';
import { multiAz } from './rds/multi-az';
import { notPubliclyAccessible } from './rds/not-public';
import { storageEncryption } from './rds/storage-encryption';
import { tlsForced } from './rds/tls-forced';
import { secretEncryption } from './secrets/cmk-encryption';
import { secretRotation } from './secrets/rotation';

export const RULES: readonly PolicyRule[] = [
  deletionProtection,
  multiAz,
  storageEncryption,
  notPubliclyAccessible,
  tlsForced,
  backupRetention,
  deletionPolicy,
  noOpenIngress,
  keyRotation,
  secretEncryption,
  secretRotation,
];

export {
  backupRetention,
  deletionPolicy,
  deletionProtection,
  keyRotation,
  multiAz,
  noOpenIngress,
  notPubliclyAccessible,
  secretEncryption,
  secretRotation,
  storageEncryption,
  tlsForced,
};
