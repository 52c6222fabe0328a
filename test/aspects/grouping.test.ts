import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Stack } from 'aws-cdk-lib';
import { acknowledge } from '../../aspects/acknowledgements';
import { baseRuleId, controlOf, groupFindings, groupRuleIds } from '../../aspects/grouping';
import { parseNagRules } from '../../aspects/nag-catalog';
import { toSarif } from '../../aspects/sarif';
import type { ComplianceRun } from '../../aspects/plugin';
import { judgeStack } from '../support/compliance';
import { sarifSchemaErrors } from '../support/sarif-schema';

const ALL_PACKS = ['AwsSolutions', 'HIPAA', 'NIST80053R5', 'PCIDSS321'] as const;

function database(stack: Stack, props: Partial<rds.DatabaseInstanceProps> = {}): rds.DatabaseInstance {
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    natGateways: 0,
    maxAzs: 2,
    subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  return new rds.DatabaseInstance(stack, 'Db', {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    multiAz: false,
    ...props,
  });
}

const groupOn = (run: ComplianceRun, ruleId: string) =>
  groupFindings(run.results).find((g) => [g.primary, ...g.related].some((r) => r.ruleId === ruleId))!;

describe('one problem, one finding', () => {
  test.each([
    ['an L2 database', (s: Stack) => void database(s), true],
    [
      'an L1 database',
      (s: Stack) =>
        void new rds.CfnDBInstance(s, 'Raw', {
          engine: 'postgres',
          dbInstanceClass: 'db.t4g.micro',
          allocatedStorage: '20',
          multiAz: false,
        }),
      true,
    ],
    [
      'an escape hatch turning Multi-AZ off',
      (s: Stack) =>
        (database(s, { multiAz: true }).node.defaultChild as rds.CfnDBInstance).addPropertyOverride('MultiAZ', false),
      // cdk-nag reads the L1's properties, not the override: the kit's rule, which reads the template, reports it alone.
      false,
    ],
  ])('%s without Multi-AZ: the kit rule names it, the cdk-nag rules that see it are related', (_, build, nagSees) => {
    const run = judgeStack('prod', build, { nagPacks: ALL_PACKS });
    const group = groupOn(run, 'SS-RDS-002');
    expect(group.primary.ruleId).toBe('SS-RDS-002');
    if (!nagSees) {
      expect(group.related).toEqual([]);
      return;
    }
    expect(group.related.map((r) => r.ruleId)).toEqual(
      expect.arrayContaining([
        'AwsSolutions-RDS3',
        'NIST.800.53.R5-RDSMultiAZSupport',
        'HIPAA.Security-RDSMultiAZSupport',
      ]),
    );
    expect(groupRuleIds(group)).toMatch(/^SS-RDS-002 \+ /);
    // compliance.json keeps every rule's own result.
    expect(run.results.filter((r) => r.ruleId === 'AwsSolutions-RDS3' && r.status === 'fail')).toHaveLength(1);
  });

  test('two databases: two problems, each with its own rules', () => {
    const run = judgeStack('prod', (s) => {
      database(s);
      new rds.CfnDBInstance(s, 'Second', { engine: 'postgres', dbInstanceClass: 'db.t4g.micro', multiAz: false });
    });
    const groups = groupFindings(run.results).filter((g) => g.primary.ruleId === 'SS-RDS-002');
    expect(groups).toHaveLength(2);
    expect(new Set(groups.map((g) => g.primary.logicalId)).size).toBe(2);
  });

  test('cdk-nag finding detail stays a problem of its own: two managed policies, two findings', () => {
    const run = judgeStack('prod', (s) => {
      new iam.Role(s, 'Role', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        managedPolicies: [
          iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess'),
          iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonS3ReadOnlyAccess'),
        ],
      });
    });
    const iam4 = groupFindings(run.results).filter((g) => baseRuleId(g.primary.ruleId) === 'AwsSolutions-IAM4');
    expect(iam4).toHaveLength(2);
  });

  test('the same check of two compliance packs on one resource is one problem', () => {
    expect(controlOf('NIST.800.53.R5-IAMNoInlinePolicy')).toBe(controlOf('PCI.DSS.321-IAMNoInlinePolicy'));
    expect(controlOf('NIST.800.53.R5-RDSMultiAZSupport')).toBe('SS-RDS-002');
    expect(controlOf('AwsSolutions-RDS3')).toBe('SS-RDS-002');
    expect(controlOf('AwsSolutions-IAM4[Policy::a]')).not.toBe(controlOf('AwsSolutions-IAM4[Policy::b]'));
    expect(controlOf('AwsSolutions-RDS11')).toBe('AwsSolutions-RDS11');
  });
});

describe('SARIF for code scanning', () => {
  const located = (run: ComplianceRun) => {
    const doc = toSarif({
      results: run.results,
      toolVersion: '9.9.9',
      home: {
        informationUri: 'https://example.com/kit',
        rulesHelpUri: 'https://example.com/kit/docs/policies.md#policy-catalogue',
      },
      locate: () => ({ uri: 'app.ts', line: 3 }),
    }) as {
      runs: {
        tool: { driver: { informationUri: string; version: string; rules: Record<string, unknown>[] } };
        results: { ruleId: string; message: { text: string }; properties: Record<string, unknown> }[];
      }[];
    };
    expect(sarifSchemaErrors(doc)).toEqual([]);
    return doc;
  };

  test('one result per problem, with the other rules related, and stable rule ids without finding detail', () => {
    const run = judgeStack('prod', (s) => {
      database(s);
      new iam.Role(s, 'Role', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
      });
    });
    const sarif = located(run).runs[0];
    const multiAz = sarif.results.filter((r) => r.ruleId === 'SS-RDS-002');
    expect(multiAz).toHaveLength(1);
    expect(multiAz[0].properties.relatedRules).toEqual(
      expect.arrayContaining([{ ruleId: 'AwsSolutions-RDS3', status: 'fail' }]),
    );
    expect(sarif.results.filter((r) => r.ruleId === 'AwsSolutions-RDS3')).toEqual([]);
    const iam4 = sarif.results.find((r) => r.ruleId === 'AwsSolutions-IAM4')!;
    expect(iam4.properties.findingDetail).toBe('Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess');
    expect(iam4.message.text).toContain('Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess');
    expect(sarif.results.every((r) => !r.ruleId.includes('['))).toBe(true);
  });

  test('rules carry descriptions, markdown help, a help URI, security severity and control tags', () => {
    const run = judgeStack('prod', (s) => void database(s), { nagPacks: ALL_PACKS });
    const driver = located(run).runs[0].tool.driver;
    expect(driver).toMatchObject({ version: '9.9.9', informationUri: 'https://example.com/kit' });
    const nist = driver.rules.find((r) => r.id === 'NIST.800.53.R5-RDSMultiAZSupport')!;
    expect(nist).toMatchObject({
      shortDescription: { text: 'The RDS DB Instance does not have multi-AZ support.' },
      fullDescription: { text: expect.stringMatching(/^Multi-AZ support in Amazon Relational Database Service/) },
      help: {
        markdown: expect.stringMatching(/\*\*Why\.\*\*[\s\S]*\*\*How to fix\.\*\*[\s\S]*\*\*How to acknowledge\.\*\*/),
      },
      helpUri: 'https://docs.aws.amazon.com/config/latest/developerguide/rds-multi-az-support.html',
      properties: { 'security-severity': '8.0', tags: expect.arrayContaining(['security', 'CP-10', 'SC-36']) },
    });
    const kit = driver.rules.find((r) => r.id === 'SS-RDS-002')!;
    expect(kit).toMatchObject({
      shortDescription: { text: 'Database is Multi-AZ' },
      helpUri: 'https://example.com/kit/docs/policies.md#policy-catalogue',
      properties: { 'security-severity': '8.0' },
    });
  });

  test('an acknowledged problem opens no alert', () => {
    const run = judgeStack('dev', (s) => {
      const db = database(s);
      acknowledge(db, {
        ruleId: 'AwsSolutions-RDS3',
        reason: 'A single instance is enough for the dev database of this team.',
        owner: 'team',
        expires: '2027-01-31',
      });
    });
    const sarif = located(run).runs[0];
    expect(sarif.results.filter((r) => /RDS3|RDS-002/.test(r.ruleId))).toEqual([]);
  });
});

test('RULES.md rows parse with and without links and control ids', () => {
  const rules = parseNagRules(
    [
      '| Rule ID | Cause | Explanation |',
      '| ------- | ----- | ----------- |',
      '| AwsSolutions-RDS3 | No multi-AZ. | Use multi-AZ. |',
      '| [NIST.800.53.R5-X](https://docs.aws.amazon.com/config/x.html) | Cause x. | Why x. | CP-10, SC-5(2) |',
    ].join('\n'),
  );
  expect(rules.get('AwsSolutions-RDS3')).toEqual({
    cause: 'No multi-AZ.',
    explanation: 'Use multi-AZ.',
    uri: undefined,
    controls: [],
  });
  expect(rules.get('NIST.800.53.R5-X')).toEqual({
    cause: 'Cause x.',
    explanation: 'Why x.',
    uri: 'https://docs.aws.amazon.com/config/x.html',
    controls: ['CP-10', 'SC-5(2)'],
  });
  expect(rules.has('Rule ID')).toBe(false);
});
