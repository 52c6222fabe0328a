import { ENVIRONMENT_NAMES, getProfile, profiles } from '../../lib/profiles';
import { parseInstanceClass } from '../../lib/instance-classes';

describe.each(ENVIRONMENT_NAMES)('profile %s', (env) => {
  const p = profiles[env];
  test('is named after its key and defaults to us-east-1 with no account', () => {
    expect(p.name).toBe(env);
    expect(p.region).toBe('us-east-1');
    expect('account' in p).toBe(false);
  });
  test('runs PostgreSQL 16 or newer on a valid class', () => {
    expect(Number(p.engineVersion.split('.')[0])).toBeGreaterThanOrEqual(16);
    expect(parseInstanceClass(p.instanceClass)).toBeDefined();
  });
  test('uses gp3 storage with headroom for autoscaling and no extra ingress', () => {
    expect(p.storageType).toBe('gp3');
    expect(p.maxAllocatedStorage).toBeGreaterThan(p.allocatedStorage);
    expect(p.allowedCidrs).toEqual([]);
  });
  test('meets its own backup minimum and always runs AwsSolutions', () => {
    expect(p.backupRetentionDays).toBeGreaterThanOrEqual(p.minBackupRetentionDays);
    expect(p.nagPacks[0]).toBe('AwsSolutions');
  });
});

test('dev is small and cheap', () => {
  expect(['db.t3.micro', 'db.t4g.micro']).toContain(profiles.dev.instanceClass);
  expect(profiles.dev).toMatchObject({ multiAz: false, allocatedStorage: 20 });
  expect(profiles.dev.backupRetentionDays).toBeLessThanOrEqual(7);
});

test('prod is Multi-AZ, protected, keeps 14+ days of backups, runs RDS Proxy and snapshots on delete', () => {
  expect(profiles.prod).toMatchObject({
    multiAz: true,
    deletionProtection: true,
    rdsProxy: true,
    removalPolicy: 'snapshot',
  });
  expect(profiles.prod.backupRetentionDays).toBeGreaterThanOrEqual(14);
});

test('staging is like prod but smaller', () => {
  expect(profiles.staging).toMatchObject({ multiAz: true, deletionProtection: true });
  expect(profiles.staging.allocatedStorage).toBeLessThan(profiles.prod.allocatedStorage);
});

test('getProfile returns a profile and rejects unknown names', () => {
  expect(getProfile('staging')).toBe(profiles.staging);
  expect(() => getProfile('qa')).toThrow(/environment: got 'qa', expected one of dev, staging, prod/);
});
