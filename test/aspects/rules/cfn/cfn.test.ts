import { CfnCustomResource, CfnResource, CfnStack, CustomResource, Fn, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { customResourceSettings, judgeableTemplate, judgedNestedStack } from '../../../../aspects/rules';
import { judgeStack, resultsOf } from '../../../support/compliance';

describe(`${judgeableTemplate.id} templates judged as deployed`, () => {
  const ID = judgeableTemplate.id;
  test('is silent on a template without transforms', () => {
    expect(
      resultsOf(
        judgeStack('prod', (s) => new ec2.CfnVPC(s, 'V', { cidrBlock: '10.0.0.0/16' })),
        ID,
      ),
    ).toEqual([]);
  });
  test.each([
    ['prod', 'cannot-verify', 'error'],
    ['staging', 'cannot-verify', 'warning'],
  ] as const)('cannot verify a SAM transform in %s', (env, status, severity) => {
    const run = judgeStack(env, (s) => s.addTransform('AWS::Serverless-2016-10-31'));
    expect(resultsOf(run, ID)).toEqual([
      expect.objectContaining({ status, severity, evidence: expect.stringMatching(/AWS::Serverless-2016-10-31/) }),
    ]);
  });
  test('allows the rotation transform by name', () => {
    const run = judgeStack('prod', (s) => s.addTransform('AWS::SecretsManager-2024-09-16'));
    expect(resultsOf(run, ID)).toEqual([expect.objectContaining({ status: 'pass' })]);
  });
  test('cannot verify AWS::Include inside a resource (escape hatch)', () => {
    const run = judgeStack('prod', (s) =>
      new ec2.CfnVPC(s, 'V', { cidrBlock: '10.0.0.0/16' }).addOverride('Properties.Tags', {
        'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 's3://bucket/tags.yaml' } },
      }),
    );
    expect(resultsOf(run, ID)).toEqual([
      expect.objectContaining({ status: 'cannot-verify', evidence: expect.stringMatching(/AWS::Include/) }),
    ]);
  });
  test('cannot verify Fn::ForEach of the language extensions', () => {
    class ForEachStack extends Stack {
      // A template section a construct cannot express: what a team pasting a LanguageExtensions template would get.
      protected override _toCloudFormation() {
        const t = super._toCloudFormation() as Record<string, Record<string, unknown>>;
        t.Resources['Fn::ForEach::Dbs'] = [
          'Name',
          ['a', 'b'],
          { 'Db${Name}': { Type: 'AWS::RDS::DBInstance', Properties: { MultiAZ: false } } },
        ];
        return t;
      }
    }
    const run = judgeStack(
      'prod',
      () => undefined,
      {},
      (app) => {
        const s = new ForEachStack(app, 'Fe');
        s.addTransform('AWS::LanguageExtensions');
        new ec2.CfnVPC(s, 'V', { cidrBlock: '10.0.0.0/16' });
      },
    );
    expect(
      resultsOf(run, ID)
        .filter((r) => r.stack === 'Fe')
        .map((r) => r.evidence),
    ).toEqual([expect.stringMatching(/Fn::ForEach::Dbs/), expect.stringMatching(/Transform AWS::LanguageExtensions/)]);
  });
});

describe(`${judgedNestedStack.id} nested stacks judged with their parent`, () => {
  const ID = judgedNestedStack.id;
  test.each([
    ['L1', (s: Stack) => new CfnStack(s, 'Raw', { templateUrl: 'https://example.com/t.json' })],
    [
      'a bare CfnResource',
      (s: Stack) =>
        new CfnResource(s, 'Raw', {
          type: 'AWS::CloudFormation::Stack',
          properties: { TemplateURL: Fn.join('', ['https://', 'x']) },
        }),
    ],
  ])('cannot verify a raw nested stack (%s)', (_, build) => {
    expect(resultsOf(judgeStack('prod', build), ID)).toEqual([
      expect.objectContaining({ status: 'cannot-verify', severity: 'error' }),
    ]);
  });
});

describe(`${customResourceSettings.id} custom resources`, () => {
  const ID = customResourceSettings.id;
  const token = 'arn:aws:lambda:us-east-1:111111111111:function:handler';
  test('is silent on a custom resource without network or database settings', () => {
    expect(
      resultsOf(
        judgeStack(
          'prod',
          (s) => new CustomResource(s, 'C', { serviceToken: token, properties: { Greeting: 'hello' } }),
        ),
        ID,
      ),
    ).toEqual([]);
  });
  test.each([
    ['a CIDR in any property', { Rules: [{ Source: '0.0.0.0/0' }] }, /0\.0\.0\.0\/0/],
    ['a database setting', { Db: { DeletionProtection: false } }, /DeletionProtection/],
  ])('cannot verify %s', (_, properties, evidence) => {
    const run = judgeStack(
      'prod',
      (s) => new CustomResource(s, 'C', { serviceToken: token, resourceType: 'Custom::Tweak', properties }),
    );
    expect(resultsOf(run, ID)).toEqual([
      expect.objectContaining({
        status: 'cannot-verify',
        severity: 'error',
        evidence: expect.stringMatching(evidence),
      }),
    ]);
  });
  test('judges AWS::CloudFormation::CustomResource (L1) too', () => {
    const run = judgeStack('prod', (s) =>
      new CfnCustomResource(s, 'C', { serviceToken: token }).addPropertyOverride('CidrIp', '203.0.113.0/24'),
    );
    expect(resultsOf(run, ID)).toHaveLength(1);
  });
});
