/**
 * Nothing silently absent: every resource type of the kit's templates, in every environment and under the profile
 * options that add or remove resources, is known to the cost model (priced, not billed with a reason, or unpriced with
 * a reason); and a type it does not know is reported as unpriced, not dropped.
 */
import { coverageOf, RESOURCE_COVERAGE } from '../../../lib/pricing/coverage';
import type { CfnTemplate } from '../../../aspects/template';
import { ENVIRONMENT_NAMES, EnvironmentName, EnvironmentProfile } from '../../../lib/profiles';
import { kitTemplate } from '../../support/synth';

const VARIANTS: [EnvironmentName, Partial<EnvironmentProfile>][] = [
  ...ENVIRONMENT_NAMES.map((env) => [env, {}] as [EnvironmentName, Partial<EnvironmentProfile>]),
  ['dev', { rdsProxy: true, allowedCidrs: ['198.51.100.0/24'] }],
  ['prod', { rdsProxy: false, storageType: 'io1', iops: 3000 }],
  ['staging', { backupRetentionDays: 0, minBackupRetentionDays: 0 }],
];

test.each(VARIANTS)('every resource type of the %s template (%j) is in the cost model', (env, overrides) => {
  const template = kitTemplate(env, overrides).toJSON() as CfnTemplate;
  const types = [...new Set(Object.values(template.Resources ?? {}).map((r) => String(r.Type)))].sort();
  expect(types.filter((t) => RESOURCE_COVERAGE[t] === undefined)).toEqual([]);
  expect(coverageOf(template).unaskable.filter((u) => u.category === 'other')).toEqual([]);
});

test('a resource type the model does not know is an unpriced line naming it, never silently absent', () => {
  const template: CfnTemplate = {
    Resources: {
      Cache: { Type: 'AWS::ElastiCache::CacheCluster', Properties: {} },
      Role: { Type: 'AWS::IAM::Role', Properties: {} },
      Rotation: { Type: 'AWS::SecretsManager::RotationSchedule', Properties: {} },
    },
  };
  const { free, unaskable } = coverageOf(template);
  expect(unaskable).toEqual([
    {
      category: 'other',
      resource: '1 AWS::ElastiCache::CacheCluster',
      description: 'Cache',
      reason:
        'resource type AWS::ElastiCache::CacheCluster is not in the cost model (lib/pricing/coverage.ts): it may be billed',
    },
    expect.objectContaining({ category: 'lambda', resource: 'AWS::SecretsManager::RotationSchedule Rotation' }),
  ]);
  expect(free).toEqual([{ resource: '1 AWS::IAM::Role', description: 'IAM has no charge' }]);
});

test('every unpriced and not-billed entry says why', () => {
  for (const [type, c] of Object.entries(RESOURCE_COVERAGE)) {
    if (c.kind === 'priced') continue;
    expect([type, c.reason.length > 15]).toEqual([type, true]);
  }
});
