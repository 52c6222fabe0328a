import { CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CheckResult } from '../../aspects/types';
import { profiles } from '../../lib/profiles';
import { securityControls } from '../../reports/controls';
import { kitStack } from '../support/synth';

const valueOf = (controls: ReturnType<typeof securityControls>, name: string) =>
  controls.find((c) => c.control === name);

function result(ruleId: string, status: CheckResult['status']): CheckResult {
  return {
    ruleId,
    title: ruleId,
    source: 'spendsense',
    environment: 'prod',
    stack: 'SpendSense-Database-prod',
    constructPath: 'SpendSense-Database-prod/Default/Database/Resource',
    logicalId: 'DatabaseB269D8BB',
    resourceType: 'AWS::RDS::DBInstance',
    status,
    severity: 'error',
    evidence: '',
    fix: '',
  };
}

test('ingress sources list security groups and CIDRs as the template has them', () => {
  const profile = { ...profiles.dev, allowedCidrs: ['203.0.113.7/32', '2001:db8::1/128'] };
  const template = Template.fromStack(kitStack('dev', { allowedCidrs: profile.allowedCidrs })).toJSON();
  const ingress = valueOf(securityControls(template, profile, []), 'Ingress sources');
  expect(ingress?.value).toBe(
    'DatabaseB269D8BB: tcp 5432 from 2001:db8::1/128, tcp 5432 from 203.0.113.7/32, tcp 5432 from security group LambdaSecurityGroup0BD9FC99',
  );
  expect(ingress?.status).toBe('not-evaluated');
});

test('values come from the rendered template; the result is the worst of the control’s rules', () => {
  const stack = kitStack('prod');
  const db = stack.database.node.defaultChild as CfnResource;
  db.addPropertyOverride('MultiAZ', false);
  db.addPropertyOverride('DeletionProtection', false);
  const template = Template.fromStack(stack).toJSON();
  const controls = securityControls(template, profiles.prod, [
    result('SS-RDS-002', 'fail'),
    result('SS-RDS-001', 'fail'),
    result('SS-RDS-007', 'pass'),
    result('SS-SM-002', 'pass'),
    result('SS-SM-002', 'acknowledged'),
  ]);
  expect(valueOf(controls, 'Multi-AZ')).toEqual({
    control: 'Multi-AZ',
    value: 'false',
    evidence: 'DatabaseB269D8BB.MultiAZ',
    rules: ['SS-RDS-002'],
    status: 'fail',
  });
  expect(valueOf(controls, 'Deletion protection')?.value).toBe('DeletionProtection=false, DeletionPolicy=Snapshot');
  expect(valueOf(controls, 'Deletion protection')?.status).toBe('fail');
  expect(valueOf(controls, 'Secret rotation')).toEqual(
    expect.objectContaining({
      value:
        'spendsense/prod/database/connection: not rotated; spendsense/prod/database/credentials: rate(30 days), PostgreSQLSingleUser',
      status: 'acknowledged',
    }),
  );
  expect(valueOf(controls, 'Storage encryption and key')?.value).toBe(
    'encrypted with customer-managed key Key961B73FD (alias/spendsense/prod/database)',
  );
});
