import { Stack } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';

/**
 * A Multi-AZ DB cluster (L1, PostgreSQL) and a point-in-time restore of it that names no Engine (the restore takes its
 * source's), with `restore` props of its own.
 */
export function restoredMultiAzCluster(s: Stack, restore: Partial<rds.CfnDBClusterProps> = {}): rds.CfnDBCluster {
  const source = new rds.CfnDBCluster(s, 'Source', {
    engine: 'postgres',
    dbClusterInstanceClass: 'db.m6gd.large',
    allocatedStorage: 100,
    storageType: 'io1',
    iops: 1000,
    publiclyAccessible: false,
  });
  return new rds.CfnDBCluster(s, 'Restored', {
    sourceDbClusterIdentifier: source.ref,
    useLatestRestorableTime: true,
    restoreType: 'copy-on-write',
    dbClusterInstanceClass: 'db.m6gd.large',
    ...restore,
  });
}
