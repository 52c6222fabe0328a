import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Aws,
  CfnCondition,
  CfnCustomResource,
  CfnMapping,
  CfnParameter,
  CfnResource,
  CfnStack,
  CfnStackSet,
  CustomResource,
  Duration,
  Fn,
  NestedStack,
  Stack,
  Token,
} from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import * as cr from 'aws-cdk-lib/custom-resources';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import {
  customResourceSettings,
  customResourceUnwaivableSettings,
  judgeableTemplate,
  judgedNestedStack,
} from '../../../../aspects/rules';
import { acknowledge } from '../../../../aspects/acknowledgements';
import { judgeStack, resultsOf } from '../../../support/compliance';

const MODIFY = 'arn:aws:states:::aws-sdk:rds:modifyDBCluster';

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
  test('cannot verify a CloudFormation module, which expands at deploy time', () => {
    const run = judgeStack('prod', (s) => new CfnResource(s, 'Db', { type: 'Acme::Database::Postgres::MODULE' }));
    expect(resultsOf(run, ID)).toEqual([
      expect.objectContaining({
        status: 'cannot-verify',
        evidence: expect.stringMatching(/Acme::Database::Postgres::MODULE/),
      }),
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
  test.each([
    [
      'a StackSet with an inline template (L1)',
      (s: Stack) =>
        new CfnStackSet(s, 'Set', {
          permissionModel: 'SELF_MANAGED',
          stackSetName: 'databases',
          templateBody: JSON.stringify({ Resources: { Db: { Type: 'AWS::RDS::DBInstance', Properties: {} } } }),
        }),
    ],
    [
      'a Service Catalog provisioned product (a bare CfnResource)',
      (s: Stack) =>
        new CfnResource(s, 'Product', {
          type: 'AWS::ServiceCatalog::CloudFormationProvisionedProduct',
          properties: { ProductName: 'postgres', ProvisioningArtifactName: 'v1' },
        }),
    ],
  ])('cannot verify %s, which deploys a template the gate never reads', (_, build) => {
    const run = judgeStack('prod', build);
    expect(resultsOf(run, ID)).toEqual([
      expect.objectContaining({
        status: 'cannot-verify',
        severity: 'error',
        evidence: expect.stringMatching(/template/),
      }),
    ]);
  });
});

describe(`${customResourceSettings.id} and ${customResourceUnwaivableSettings.id} custom resources`, () => {
  const WAIVABLE = customResourceSettings.id;
  const UNWAIVABLE = customResourceUnwaivableSettings.id;
  const token = 'arn:aws:lambda:us-east-1:111111111111:function:handler';
  const custom = (properties: Record<string, unknown>) => (s: Stack) =>
    new CustomResource(s, 'C', { serviceToken: token, resourceType: 'Custom::Tweak', properties });
  test('are silent on a custom resource without network or database settings', () => {
    const run = judgeStack('prod', custom({ Greeting: 'hello' }));
    expect([...resultsOf(run, WAIVABLE), ...resultsOf(run, UNWAIVABLE)]).toEqual([]);
  });
  test.each([
    ['a CIDR in any property', { Rules: [{ Source: '0.0.0.0/0' }] }, /0\.0\.0\.0\/0/],
    ['deletion protection', { Db: { DeletionProtection: false } }, /DeletionProtection/],
    ['Multi-AZ', { MultiAZ: false }, /MultiAZ/],
    ['public access', { Settings: { PubliclyAccessible: true } }, /PubliclyAccessible/],
    ['a key for storage', { KmsKeyId: 'alias/aws/rds' }, /KmsKeyId/],
    ['proxy TLS', { RequireTLS: false }, /RequireTLS/],
    ['the security groups of a database', { VpcSecurityGroupIds: ['sg-0123456789abcdef0'] }, /VpcSecurityGroupIds/],
    [
      'a call that restores a database the template does not hold',
      { Create: '{"service":"RDS","action":"restoreDBInstanceFromDBSnapshot"}' },
      /names restoredbinstance/,
    ],
    [
      'an SDK call as a JSON string',
      { Update: JSON.stringify({ parameters: { DeletionProtection: false } }) },
      /Update\/parameters\/DeletionProtection/,
    ],
  ])(`${UNWAIVABLE}: cannot verify %s, an error in prod`, (_, properties, evidence) => {
    const run = judgeStack('prod', custom(properties));
    expect(resultsOf(run, UNWAIVABLE)).toEqual([
      expect.objectContaining({
        status: 'cannot-verify',
        severity: 'error',
        evidence: expect.stringMatching(evidence),
      }),
    ]);
    expect(resultsOf(run, WAIVABLE)).toEqual([]);
  });
  test.each([
    ['backup retention', { BackupRetentionPeriod: 1 }, /BackupRetentionPeriod/],
    ['a TLS parameter', { Parameters: { 'rds.force_ssl': '0' } }, /rds\.force_ssl/],
    ['key rotation', { EnableKeyRotation: false }, /EnableKeyRotation/],
    ['a parameter group', { DBParameterGroupName: 'default.postgres16' }, /DBParameterGroupName/],
    ['the Data API', { EnableHttpEndpoint: true }, /EnableHttpEndpoint/],
    [
      'a backup copy to another Region',
      { AutomaticBackupReplicationRegion: 'eu-central-1' },
      /AutomaticBackupReplicationRegion/,
    ],
    [
      'a call that turns the Data API on',
      { Call: '{"service":"RDS","action":"enableHttpEndpoint"}' },
      /enablehttpendpoint/i,
    ],
  ])(`${WAIVABLE}: cannot verify %s, an error in prod`, (_, properties, evidence) => {
    const run = judgeStack('prod', custom(properties));
    expect(resultsOf(run, WAIVABLE)).toEqual([
      expect.objectContaining({
        status: 'cannot-verify',
        severity: 'error',
        evidence: expect.stringMatching(evidence),
      }),
    ]);
    expect(resultsOf(run, UNWAIVABLE)).toEqual([]);
  });
  test('both warn in staging and dev', () => {
    for (const env of ['staging', 'dev'] as const) {
      const run = judgeStack(env, custom({ MultiAZ: false, BackupRetentionPeriod: 1 }));
      for (const id of [WAIVABLE, UNWAIVABLE])
        expect(resultsOf(run, id)).toEqual([expect.objectContaining({ status: 'cannot-verify', severity: 'warning' })]);
    }
  });
  test('only the unwaivable one is closed to acknowledgement in prod', () => {
    expect(customResourceUnwaivableSettings.unacknowledgeableIn).toEqual(['prod']);
    expect(customResourceSettings.unacknowledgeableIn).toEqual([]);
  });
  test('judge AWS::CloudFormation::CustomResource (L1) and a CIDR built with Fn::Join', () => {
    const run = judgeStack('prod', (s) => {
      new CfnCustomResource(s, 'C', { serviceToken: token }).addPropertyOverride('CidrIp', '203.0.113.0/24');
      new CfnCustomResource(s, 'D', { serviceToken: token }).addPropertyOverride('Source', {
        'Fn::Join': ['/', ['0.0.0.0', '0']],
      });
    });
    expect(resultsOf(run, UNWAIVABLE).map((r) => r.evidence)).toEqual([
      expect.stringMatching(/CidrIp/),
      expect.stringMatching(/Source=0\.0\.0\.0\/0/),
    ]);
  });
  test('judge a resource type of a registry extension (third-party or private) as a custom resource', () => {
    const run = judgeStack('prod', (s) => {
      new CfnResource(s, 'Atlas', {
        type: 'MongoDB::Atlas::ProjectIpAccessList',
        properties: { AccessList: [{ CIDRBlock: '0.0.0.0/0' }] },
      });
      new CfnResource(s, 'Private', {
        type: 'Acme::Database::Instance',
        properties: { Engine: 'postgres', DeletionProtection: false, BackupRetentionPeriod: 1 },
      });
    });
    expect(resultsOf(run, UNWAIVABLE).map((r) => `${r.logicalId} ${r.status} ${r.severity} ${r.evidence}`)).toEqual([
      expect.stringMatching(/^Atlas cannot-verify error Properties\/AccessList\/0\/CIDRBlock /),
      expect.stringMatching(/^Private cannot-verify error .*DeletionProtection/),
    ]);
    expect(resultsOf(run, WAIVABLE).map((r) => `${r.logicalId} ${r.evidence}`)).toEqual([
      expect.stringMatching(/^Private .*BackupRetentionPeriod/),
    ]);
  });
  test('leave AWS types and modules to their own rules', () => {
    const run = judgeStack('prod', (s) => {
      new CfnResource(s, 'Group', { type: 'AWS::EC2::SecurityGroup', properties: { GroupDescription: 'x' } });
      new CfnResource(s, 'Module', { type: 'Acme::Database::Instance::MODULE', properties: { MultiAZ: false } });
    });
    expect([...resultsOf(run, WAIVABLE), ...resultsOf(run, UNWAIVABLE)]).toEqual([]);
  });
});

describe('what the gate cannot judge, acknowledged', () => {
  const token = 'arn:aws:lambda:us-east-1:111111111111:function:handler';
  const accepted = (ruleId: string) => ({
    ruleId,
    reason: 'Reviewed by the platform team with the handler and the template it deploys.',
    owner: 'data-platform',
    expires: '2027-01-31',
  });
  // Each builder makes one finding of its rule and acknowledges it where the finding is placed.
  const cases: [string, (s: Stack) => void][] = [
    [
      judgeableTemplate.id,
      (s) => {
        s.addTransform('AWS::Serverless-2016-10-31');
        acknowledge(s, accepted(judgeableTemplate.id));
      },
    ],
    [
      judgedNestedStack.id,
      (s) =>
        acknowledge(
          new CfnStack(s, 'N', { templateUrl: 'https://example.com/t.json' }),
          accepted(judgedNestedStack.id),
        ),
    ],
    [
      customResourceUnwaivableSettings.id,
      (s) => {
        const c = new CfnCustomResource(s, 'C', { serviceToken: token });
        c.addPropertyOverride('MultiAZ', false);
        acknowledge(c, accepted(customResourceUnwaivableSettings.id));
      },
    ],
    [
      customResourceSettings.id,
      (s) =>
        acknowledge(
          new CustomResource(s, 'C', { serviceToken: token, properties: { BackupRetentionPeriod: 1 } }),
          accepted(customResourceSettings.id),
        ),
    ],
  ];
  test.each(cases)('%s: prod refuses the acknowledgement unless it may be waived', (id, build) => {
    const run = judgeStack('prod', build);
    const waivable = id === customResourceSettings.id;
    expect(resultsOf(run, id)).toEqual([
      expect.objectContaining({ status: waivable ? 'acknowledged' : 'cannot-verify', severity: 'error' }),
    ]);
    expect(resultsOf(run, 'SS-ACK-002')).toEqual(
      waivable ? [] : [expect.objectContaining({ status: 'fail', severity: 'error' })],
    );
  });
  test.each(cases)('%s: staging accepts the acknowledgement', (id, build) => {
    const run = judgeStack('staging', build);
    expect(resultsOf(run, id)).toEqual([expect.objectContaining({ status: 'acknowledged' })]);
    expect(resultsOf(run, 'SS-ACK-002')).toEqual([]);
  });
});

describe(`${customResourceUnwaivableSettings.id} and ${customResourceSettings.id} on AWS API calls the template makes`, () => {
  const UNWAIVABLE = customResourceUnwaivableSettings.id;
  const WAIVABLE = customResourceSettings.id;
  const schedule = (arn: string, input: Record<string, unknown>) => (s: Stack) =>
    new scheduler.CfnSchedule(s, 'Schedule', {
      scheduleExpression: 'rate(1 day)',
      flexibleTimeWindow: { mode: 'OFF' },
      target: { arn, roleArn: 'arn:aws:iam::111111111111:role/scheduler', input: JSON.stringify(input) },
    });
  test('an EventBridge Scheduler aws-sdk target (L1): its Input is judged', () => {
    const run = judgeStack(
      'prod',
      schedule('arn:aws:scheduler:::aws-sdk:rds:modifyDBInstance', {
        DbInstanceIdentifier: 'orders-prod',
        DeletionProtection: false,
        BackupRetentionPeriod: 1,
      }),
    );
    expect(resultsOf(run, UNWAIVABLE)).toEqual([
      expect.objectContaining({
        status: 'cannot-verify',
        evidence: expect.stringMatching(/Target\/Input\/DeletionProtection/),
      }),
    ]);
    expect(resultsOf(run, WAIVABLE)).toEqual([
      expect.objectContaining({ evidence: expect.stringMatching(/BackupRetentionPeriod/) }),
    ]);
  });
  test.each([
    [
      'the Data API turned on',
      'rds:enableHttpEndpoint',
      WAIVABLE,
      /Target\/Arn \(text that names enablehttpendpoint\)/,
    ],
    ['key rotation turned off', 'kms:disableKeyRotation', WAIVABLE, /names keyrotation/],
    ['a secret policy replaced', 'secretsmanager:putResourcePolicy', UNWAIVABLE, /names resourcepolicy/],
    ['a snapshot shared with every account', 'rds:modifyDBSnapshotAttribute', UNWAIVABLE, /names snapshotattribute/],
  ])('a Scheduler call whose action is the setting (%s) is judged by its action', (_, action, rule, evidence) => {
    const run = judgeStack('prod', schedule(`arn:aws:scheduler:::aws-sdk:${action}`, { ResourceArn: 'orders' }));
    expect(resultsOf(run, rule)).toEqual([
      expect.objectContaining({ status: 'cannot-verify', evidence: expect.stringMatching(evidence) }),
    ]);
  });
  test('a Step Functions task whose action is the setting is judged by its action', () => {
    const run = judgeStack('prod', (s) => {
      const call = new tasks.CallAwsService(s, 'DataApi', {
        service: 'rds',
        action: 'enableHttpEndpoint',
        parameters: { ResourceArn: 'arn:aws:rds:us-east-1:111111111111:cluster:orders' },
        iamResources: ['*'],
      });
      new sfn.StateMachine(s, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(call) });
    });
    expect(resultsOf(run, WAIVABLE).map((r) => r.evidence)).toEqual([
      expect.stringMatching(/Resource \(text that names enablehttpendpoint\)/),
    ]);
  });
  test('a Scheduler target that is not an API call is not judged', () => {
    const run = judgeStack(
      'prod',
      schedule('arn:aws:lambda:us-east-1:111111111111:function:report', { DeletionProtection: false }),
    );
    expect([...resultsOf(run, UNWAIVABLE), ...resultsOf(run, WAIVABLE)]).toEqual([]);
  });
  test('a Step Functions aws-sdk task (L2 CallAwsService): its Parameters are judged', () => {
    const run = judgeStack('prod', (s) => {
      const call = new tasks.CallAwsService(s, 'OpenIngress', {
        service: 'ec2',
        action: 'authorizeSecurityGroupIngress',
        parameters: { GroupId: 'sg-0123456789abcdef0', CidrIp: '198.51.100.0/24', IpProtocol: 'tcp' },
        iamResources: ['*'],
      });
      new sfn.StateMachine(s, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(call) });
    });
    // The range it admits, and the action itself, which opens a group.
    expect(resultsOf(run, UNWAIVABLE).map((r) => r.evidence)).toEqual([
      expect.stringMatching(/CidrIp/),
      expect.stringMatching(/OpenIngress\/Resource \(text that names ingress\)/),
    ]);
  });
  test.each([
    ['built with Fn::Sub', { 'Fn::Sub': 'arn:${AWS::Partition}:states:::aws-sdk:rds:modifyDBCluster' }, undefined],
    ['a DefinitionSubstitutions name', '${Call}', { Call: 'arn:aws:states:::aws-sdk:rds:modifyDBCluster' }],
  ])('a task whose Resource is %s is judged as the call it makes', (_, resource, substitutions) => {
    const run = judgeStack('prod', (s) => {
      new sfn.CfnStateMachine(s, 'Machine', {
        roleArn: 'arn:aws:iam::111111111111:role/sfn',
        definition: {
          StartAt: 'Off',
          States: {
            Off: {
              Type: 'Task',
              Resource: resource,
              Parameters: { DbClusterIdentifier: 'orders', DeletionProtection: false },
              End: true,
            },
          },
        },
        definitionSubstitutions: substitutions,
      });
    });
    expect(resultsOf(run, UNWAIVABLE)).toEqual([
      expect.objectContaining({
        status: 'cannot-verify',
        evidence: expect.stringMatching(/Off\/Parameters\/DeletionProtection/),
      }),
    ]);
  });
  describe('a Step Functions aws-sdk task whose request the template does not hold', () => {
    const machine =
      (task: Record<string, unknown>, jsonata = false) =>
      (s: Stack) =>
        new sfn.CfnStateMachine(s, 'Machine', {
          roleArn: 'arn:aws:iam::111111111111:role/machine',
          definition: {
            ...(jsonata ? { QueryLanguage: 'JSONata' } : {}),
            StartAt: 'Call',
            States: { Call: { Type: 'Task', End: true, ...task } },
          },
        });
    const unseenRequest = expect.objectContaining({
      status: 'cannot-verify',
      evidence: expect.stringMatching(/Call \(a call to rds:modifyDBCluster whose request is the state input/),
    });
    test.each([
      ['no Parameters (L1): the state input is the request', machine({ Resource: MODIFY })],
      ['a JSONata expression as its Arguments', machine({ Resource: MODIFY, Arguments: '{% $states.input %}' }, true)],
      [
        'no Parameters (L2 CustomState)',
        (s: Stack) =>
          new sfn.StateMachine(s, 'Machine', {
            definitionBody: sfn.DefinitionBody.fromChainable(
              new sfn.CustomState(s, 'Call', { stateJson: { Type: 'Task', Resource: MODIFY } }),
            ),
          }),
      ],
      [
        'no Parameters, in a DefinitionString built with Fn::Join',
        (s: Stack) =>
          new sfn.CfnStateMachine(s, 'Machine', {
            roleArn: 'arn:aws:iam::111111111111:role/machine',
            definitionString: Fn.join('', [
              '{"StartAt":"Call","States":{"Call":{"Type":"Task","End":true,"Resource":"arn:',
              Aws.PARTITION,
              ':states:::aws-sdk:rds:modifyDBCluster"}}}',
            ]),
          }),
      ],
    ])('%s needs a review in prod', (_, build) => {
      const run = judgeStack('prod', build);
      expect(resultsOf(run, WAIVABLE)).toEqual([unseenRequest]);
      expect(resultsOf(run, UNWAIVABLE)).toEqual([]);
    });
    test('a call that only reads, or one whose request is written, is judged by what it holds', () => {
      const run = judgeStack('prod', (s) => {
        machine({ Resource: 'arn:aws:states:::aws-sdk:rds:describeDBClusters' })(s);
        new sfn.CfnStateMachine(s, 'Written', {
          roleArn: 'arn:aws:iam::111111111111:role/machine',
          definition: {
            StartAt: 'Snapshot',
            States: {
              Snapshot: {
                Type: 'Task',
                End: true,
                Resource: 'arn:aws:states:::aws-sdk:rds:createDBClusterSnapshot',
                Parameters: { 'DbClusterIdentifier.$': '$.cluster', 'DbClusterSnapshotIdentifier.$': '$.name' },
              },
            },
          },
        });
      });
      expect([...resultsOf(run, UNWAIVABLE), ...resultsOf(run, WAIVABLE)]).toEqual([]);
    });
  });
  test('a state machine without API calls is not judged', () => {
    const run = judgeStack('prod', (s) => {
      new sfn.StateMachine(s, 'Machine', {
        definitionBody: sfn.DefinitionBody.fromChainable(
          new sfn.Pass(s, 'Done', { result: sfn.Result.fromObject({ MultiAZ: false }) }),
        ),
      });
    });
    expect([...resultsOf(run, UNWAIVABLE), ...resultsOf(run, WAIVABLE)]).toEqual([]);
  });
  test('a Scheduler target whose ARN the template does not fix (Fn::FindInMap) is judged as an API call', () => {
    const run = judgeStack('prod', (s) => {
      new CfnMapping(s, 'Targets', { mapping: { prod: { arn: 'arn:aws:scheduler:::aws-sdk:rds:modifyDBInstance' } } });
      schedule(Fn.findInMap('Targets', 'prod', 'arn'), { DbInstanceIdentifier: 'orders-prod', MultiAZ: false })(s);
    });
    expect(resultsOf(run, UNWAIVABLE).map((r) => r.evidence)).toEqual([
      expect.stringMatching(/Target\/Input\/MultiAZ/),
    ]);
  });
  test.each([
    ['a JSONPath key (DeletionProtection.$)', { 'DbInstanceIdentifier.$': '$.id', 'DeletionProtection.$': '$.off' }],
    ['a JSONata expression', "{% {'DBInstanceIdentifier': $states.input.id, 'DeletionProtection': false} %}"],
  ])('a Step Functions aws-sdk task with %s is judged', (_, parameters) => {
    const run = judgeStack('prod', (s) => {
      const jsonata = typeof parameters === 'string';
      new sfn.CfnStateMachine(s, 'Machine', {
        roleArn: 'arn:aws:iam::111111111111:role/machine',
        definition: {
          ...(jsonata ? { QueryLanguage: 'JSONata' } : {}),
          StartAt: 'Modify',
          States: {
            Modify: {
              Type: 'Task',
              Resource: 'arn:aws:states:::aws-sdk:rds:modifyDBInstance',
              [jsonata ? 'Arguments' : 'Parameters']: parameters,
              End: true,
            },
          },
        },
      });
    });
    expect(resultsOf(run, UNWAIVABLE)).toEqual([
      expect.objectContaining({
        status: 'cannot-verify',
        evidence: expect.stringMatching(/DeletionProtection|deletionprotection/),
      }),
    ]);
  });
  test.each([
    [
      'an Automation document (aws:executeAwsApi)',
      {
        schemaVersion: '0.3',
        mainSteps: [
          {
            name: 'Unprotect',
            action: 'aws:executeAwsApi',
            inputs: {
              Service: 'rds',
              Api: 'ModifyDBInstance',
              DBInstanceIdentifier: 'orders-prod',
              DeletionProtection: false,
            },
          },
        ],
      },
      /Content\/mainSteps\/0\/inputs\/DeletionProtection/,
    ],
    [
      'a Command document that runs the CLI',
      {
        schemaVersion: '2.2',
        mainSteps: [
          {
            action: 'aws:runShellScript',
            name: 'open',
            inputs: {
              runCommand: ['aws rds modify-db-instance --db-instance-identifier orders-prod --publicly-accessible'],
            },
          },
        ],
      },
      /Content\/mainSteps\/0\/inputs\/runCommand\/0 \(text that names publiclyaccessible\)/,
    ],
  ])('a Systems Manager document is judged: %s', (_, content, evidence) => {
    const run = judgeStack('prod', (s) => {
      new ssm.CfnDocument(s, 'Doc', {
        documentType: 'Automation',
        content,
        documentFormat: typeof content === 'string' ? 'YAML' : 'JSON',
      });
    });
    expect(resultsOf(run, UNWAIVABLE).map((r) => r.evidence)).toEqual([expect.stringMatching(evidence)]);
  });
  describe('what runs a document, command or call with input the template holds', () => {
    const UNPROTECT = 'aws rds modify-db-cluster --db-cluster-identifier orders-prod --no-deletion-protection';
    test.each([
      [
        'an SSM association running AWS-RunShellScript (L1)',
        (s: Stack) =>
          new ssm.CfnAssociation(s, 'Run', {
            name: 'AWS-RunShellScript',
            targets: [{ key: 'tag:Role', values: ['bastion'] }],
            parameters: { commands: [UNPROTECT] },
          }),
        /Parameters\/commands\/0 \(text that names deletionprotection\)/,
      ],
      [
        'an SSM association given its commands by an escape hatch',
        (s: Stack) => {
          const run = new ssm.CfnAssociation(s, 'Run', { name: 'AWS-RunShellScript' });
          run.addPropertyOverride('Parameters.commands', [
            Fn.join(' ', ['aws rds', 'modify-db-cluster --no-multi-az']),
          ]);
        },
        /Parameters\/commands\/0 \(text that names multiaz\)/,
      ],
      [
        'a maintenance window task (Run Command)',
        (s: Stack) =>
          new ssm.CfnMaintenanceWindowTask(s, 'Task', {
            windowId: 'mw-0123456789abcdef0',
            taskArn: 'AWS-RunShellScript',
            taskType: 'RUN_COMMAND',
            priority: 1,
            taskInvocationParameters: {
              maintenanceWindowRunCommandParameters: { parameters: { commands: [UNPROTECT] } },
            },
          }),
        /TaskInvocationParameters\/MaintenanceWindowRunCommandParameters\/Parameters\/commands\/0/,
      ],
      [
        'an EventBridge rule with a Run Command target (L2 rule)',
        (s: Stack) =>
          new events.Rule(s, 'Nightly', {
            schedule: events.Schedule.rate(Duration.days(1)),
            targets: [
              {
                bind: () => ({
                  arn: 'arn:aws:ssm:us-east-1::document/AWS-RunShellScript',
                  input: events.RuleTargetInput.fromObject({ commands: [UNPROTECT] }),
                  runCommandParameters: { runCommandTargets: [{ key: 'tag:Role', values: ['bastion'] }] },
                }),
              },
            ],
          }),
        /Targets\/0\/Input\/commands\/0 \(text that names deletionprotection\)/,
      ],
      [
        'an EventBridge pipe whose target input names the setting',
        (s: Stack) =>
          new pipes.CfnPipe(s, 'Pipe', {
            roleArn: 'arn:aws:iam::111111111111:role/pipe',
            source: 'arn:aws:sqs:us-east-1:111111111111:changes',
            target: 'arn:aws:states:us-east-1:111111111111:stateMachine:apply',
            targetParameters: { inputTemplate: '{"DBClusterIdentifier": <$.body.id>, "DeletionProtection": false}' },
          }),
        /TargetParameters\/InputTemplate/,
      ],
      [
        'a Config remediation with a static parameter',
        (s: Stack) =>
          new config.CfnRemediationConfiguration(s, 'Fix', {
            configRuleName: 'rds-multi-az',
            targetId: 'AWS-RunShellScript',
            targetType: 'SSM_DOCUMENT',
            parameters: { commands: { StaticValue: { Values: [UNPROTECT] } } },
          }),
        /Parameters\/commands\/StaticValue\/Values\/0/,
      ],
    ])('%s is judged', (_, build, evidence) => {
      const run = judgeStack('prod', build);
      expect(resultsOf(run, UNWAIVABLE).map((r) => r.evidence)).toEqual([expect.stringMatching(evidence)]);
    });
    test("a rule that only watches for the setting (its EventPattern), and the runner's name, are not judged", () => {
      const run = judgeStack('prod', (s) => {
        new events.Rule(s, 'DeletionProtectionOff', {
          eventPattern: {
            source: ['aws.rds'],
            detail: { eventName: ['ModifyDBCluster'], requestParameters: { deletionProtection: [false] } },
          },
          targets: [{ bind: () => ({ arn: 'arn:aws:sns:us-east-1:111111111111:alarms' }) }],
        });
        new ssm.CfnAssociation(s, 'Inventory', { name: 'AWS-GatherSoftwareInventory', associationName: 'MultiAZ' });
      });
      expect([...resultsOf(run, UNWAIVABLE), ...resultsOf(run, WAIVABLE)]).toEqual([]);
    });
  });
  test('a Systems Manager document without database settings is not judged', () => {
    const run = judgeStack('prod', (s) => {
      new ssm.CfnDocument(s, 'Doc', {
        documentType: 'Command',
        content: {
          schemaVersion: '2.2',
          mainSteps: [{ action: 'aws:runShellScript', name: 'hello', inputs: { runCommand: ['echo hello'] } }],
        },
      });
    });
    expect([...resultsOf(run, UNWAIVABLE), ...resultsOf(run, WAIVABLE)]).toEqual([]);
  });
});

describe(`${customResourceUnwaivableSettings.id} and ${customResourceSettings.id} read calls built around a value synthesis cannot compute`, () => {
  const UNWAIVABLE = customResourceUnwaivableSettings.id;
  const WAIVABLE = customResourceSettings.id;
  const unwaivable = (run: ReturnType<typeof judgeStack>) => resultsOf(run, UNWAIVABLE).map((r) => r.evidence);
  test('an AwsCustomResource whose SDK call names a CfnParameter (L2): the call is read around it', () => {
    const run = judgeStack('prod', (s) => {
      const id = new CfnParameter(s, 'ClusterId', { type: 'String' });
      new cr.AwsCustomResource(s, 'Unprotect', {
        onUpdate: {
          service: 'RDS',
          action: 'modifyDBCluster',
          parameters: { DBClusterIdentifier: id.valueAsString, DeletionProtection: false },
          physicalResourceId: cr.PhysicalResourceId.of('unprotect'),
        },
        policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
      });
    });
    // onUpdate is also the create call.
    expect(unwaivable(run)).toEqual([
      expect.stringMatching(/Create\/parameters\/DeletionProtection/),
      expect.stringMatching(/Update\/parameters\/DeletionProtection/),
    ]);
  });
  test('a Step Functions CallAwsService whose parameters name a CfnParameter (L2): the definition is read around it', () => {
    const run = judgeStack('prod', (s) => {
      const id = new CfnParameter(s, 'ClusterId', { type: 'String' });
      const call = new tasks.CallAwsService(s, 'Unprotect', {
        service: 'rds',
        action: 'modifyDBCluster',
        parameters: { DbClusterIdentifier: id.valueAsString, DeletionProtection: false },
        iamResources: ['*'],
      });
      new sfn.StateMachine(s, 'Machine', { definitionBody: sfn.DefinitionBody.fromChainable(call) });
    });
    expect(unwaivable(run)).toEqual([expect.stringMatching(/Unprotect\/Parameters\/DeletionProtection/)]);
  });
  test('a Scheduler Input built with Stack.toJsonString around a number parameter (L1): read as JSON', () => {
    const run = judgeStack('prod', (s) => {
      const days = new CfnParameter(s, 'Days', { type: 'Number' });
      new scheduler.CfnSchedule(s, 'Schedule', {
        scheduleExpression: 'rate(1 day)',
        flexibleTimeWindow: { mode: 'OFF' },
        target: {
          arn: 'arn:aws:scheduler:::aws-sdk:rds:modifyDBInstance',
          roleArn: 'arn:aws:iam::111111111111:role/scheduler',
          input: s.toJsonString({ DbInstanceIdentifier: 'orders-prod', BackupRetentionPeriod: days.valueAsNumber }),
        },
      });
    });
    expect(resultsOf(run, WAIVABLE).map((r) => r.evidence)).toEqual([
      expect.stringMatching(/Target\/Input\/BackupRetentionPeriod/),
    ]);
  });
  test('a Scheduler target whose ARN is built around a parameter (escape hatch): judged as an API call', () => {
    const run = judgeStack('prod', (s) => {
      const action = new CfnParameter(s, 'Action', { type: 'String' });
      const schedule = new scheduler.CfnSchedule(s, 'Schedule', {
        scheduleExpression: 'rate(1 day)',
        flexibleTimeWindow: { mode: 'OFF' },
        target: { arn: 'placeholder', roleArn: 'arn:aws:iam::111111111111:role/scheduler' },
      });
      schedule.addPropertyOverride(
        'Target.Arn',
        Fn.join(':', ['arn:aws:scheduler::', 'aws-sdk', action.valueAsString]),
      );
      schedule.addPropertyOverride('Target.Input', JSON.stringify({ PubliclyAccessible: true }));
    });
    expect(unwaivable(run)).toEqual([expect.stringMatching(/Target\/Input\/PubliclyAccessible/)]);
  });
  test.each([
    ['either branch of a Fn::If', (s: Stack) => Fn.conditionIf(condition(s).logicalId, { MultiAZ: false }, {})],
    [
      'a list a Fn::Select picks from by a parameter',
      (s: Stack) =>
        Fn.select(Token.asNumber(new CfnParameter(s, 'Pick', { type: 'Number' }).value), ['a', '10.0.0.0/8']),
    ],
    ['a mapping a Fn::FindInMap reads', (s: Stack) => mapping(s).findInMap(Aws.REGION, 'Cidr')],
  ])('a custom resource property that is %s: what it may be is judged', (_, value) => {
    const run = judgeStack('prod', (s) => {
      new CustomResource(s, 'C', {
        serviceToken: 'arn:aws:lambda:us-east-1:111111111111:function:handler',
        resourceType: 'Custom::Tweak',
        properties: { Settings: value(s) },
      });
    });
    expect(unwaivable(run)).toEqual([expect.stringMatching(/^Properties\/Settings[/= ]/)]);
  });
  const condition = (s: Stack) =>
    new CfnCondition(s, 'IsProd', { expression: Fn.conditionEquals(new CfnParameter(s, 'Env').valueAsString, 'prod') });
  const mapping = (s: Stack) => new CfnMapping(s, 'Ranges', { mapping: { 'us-east-1': { Cidr: '0.0.0.0/0' } } });
});

describe(`${customResourceUnwaivableSettings.id} and ${customResourceSettings.id} read a state machine definition from S3`, () => {
  const UNWAIVABLE = customResourceUnwaivableSettings.id;
  const WAIVABLE = customResourceSettings.id;
  const evidence = (run: ReturnType<typeof judgeStack>, rule: string) => resultsOf(run, rule).map((r) => r.evidence);
  const definitionFile = (name: string, text: string) => {
    const file = join(mkdtempSync(join(tmpdir(), 'spendsense-definition-')), name);
    writeFileSync(file, text);
    return file;
  };
  const unprotect = JSON.stringify({
    StartAt: 'Unprotect',
    States: {
      Unprotect: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:rds:modifyDBInstance',
        Parameters: { DbInstanceIdentifier: 'orders-prod', DeletionProtection: false },
        End: true,
      },
    },
  });
  test('a JSON file of DefinitionBody.fromFile (L2): its tasks are judged as an inline definition is', () => {
    const file = definitionFile('unprotect.json', unprotect);
    const run = judgeStack('prod', (s) => {
      new sfn.StateMachine(s, 'Machine', { definitionBody: sfn.DefinitionBody.fromFile(file) });
    });
    expect(evidence(run, UNWAIVABLE)).toEqual([
      expect.stringMatching(/^Properties\/DefinitionS3Location\/States\/Unprotect\/Parameters\/DeletionProtection /),
    ]);
    expect(resultsOf(run, UNWAIVABLE).map((r) => r.severity)).toEqual(['error']);
  });
  test('a YAML file: read as the document it is', () => {
    const file = definitionFile(
      'data-api.yaml',
      [
        'StartAt: DataApi',
        'States:',
        '  DataApi:',
        '    Type: Task',
        '    Resource: arn:aws:states:::aws-sdk:rds:enableHttpEndpoint',
        '    Parameters:',
        '      ResourceArn: arn:aws:rds:us-east-1:111111111111:cluster:orders',
        '    End: true',
      ].join('\n'),
    );
    const run = judgeStack('prod', (s) => {
      new sfn.StateMachine(s, 'Machine', { definitionBody: sfn.DefinitionBody.fromFile(file) });
    });
    expect(evidence(run, WAIVABLE)).toEqual([
      expect.stringMatching(/DefinitionS3Location\/States\/DataApi\/Resource \(text that names enablehttpendpoint\)/),
    ]);
  });
  test('a task of the file that sends its state input as the request cannot be verified', () => {
    const file = definitionFile(
      'passthrough.json',
      JSON.stringify({
        StartAt: 'Modify',
        States: { Modify: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:rds:modifyDBCluster', End: true } },
      }),
    );
    const run = judgeStack('prod', (s) => {
      new sfn.StateMachine(s, 'Machine', { definitionBody: sfn.DefinitionBody.fromFile(file) });
    });
    expect(evidence(run, WAIVABLE)).toEqual([
      expect.stringMatching(/a call to rds:modifyDBCluster whose request is the state input/),
    ]);
  });
  test('a file of a nested stack is read from its parent stack assets', () => {
    const file = definitionFile('unprotect.json', unprotect);
    const run = judgeStack('prod', (s) => {
      const inner = new NestedStack(s, 'Inner');
      new sfn.StateMachine(inner, 'Machine', { definitionBody: sfn.DefinitionBody.fromFile(file) });
    });
    expect(evidence(run, UNWAIVABLE)).toEqual([
      expect.stringMatching(/^Properties\/DefinitionS3Location\/States\/Unprotect\/Parameters\/DeletionProtection /),
    ]);
  });
  test('a file whose calls only read is silent', () => {
    const file = definitionFile(
      'describe.json',
      JSON.stringify({
        StartAt: 'Describe',
        States: {
          Describe: {
            Type: 'Task',
            Resource: 'arn:aws:states:::aws-sdk:rds:describeDBInstances',
            Parameters: { DbInstanceIdentifier: 'orders-prod' },
            End: true,
          },
        },
      }),
    );
    const run = judgeStack('prod', (s) => {
      new sfn.StateMachine(s, 'Machine', { definitionBody: sfn.DefinitionBody.fromFile(file) });
    });
    expect([...resultsOf(run, UNWAIVABLE), ...resultsOf(run, WAIVABLE)]).toEqual([]);
  });
  test.each([
    ['prod', 'error'],
    ['dev', 'warning'],
  ] as const)('a definition in a bucket of its own (L1) cannot be verified in %s', (env, severity) => {
    const run = judgeStack(env, (s) => {
      new sfn.CfnStateMachine(s, 'Machine', {
        roleArn: 'arn:aws:iam::111111111111:role/sfn',
        definitionS3Location: { bucket: 'team-definitions', key: 'unprotect.json' },
      });
    });
    expect(resultsOf(run, WAIVABLE)).toEqual([
      expect.objectContaining({
        status: 'cannot-verify',
        severity,
        evidence: expect.stringMatching(/DefinitionS3Location=.*team-definitions.*no file asset of the app/),
      }),
    ]);
  });
  test.each([
    [
      'a Version (escape hatch)',
      (m: sfn.CfnStateMachine) => m.addPropertyOverride('DefinitionS3Location.Version', '3'),
    ],
    [
      'another key (escape hatch)',
      (m: sfn.CfnStateMachine) => m.addPropertyOverride('DefinitionS3Location.Key', 'x.json'),
    ],
  ])('an asset location changed to %s cannot be verified', (_, change) => {
    const file = definitionFile('unprotect.json', unprotect);
    const run = judgeStack('prod', (s) => {
      const machine = new sfn.StateMachine(s, 'Machine', { definitionBody: sfn.DefinitionBody.fromFile(file) });
      change(machine.node.defaultChild as sfn.CfnStateMachine);
    });
    expect(evidence(run, UNWAIVABLE)).toEqual([]);
    expect(evidence(run, WAIVABLE)).toEqual([expect.stringMatching(/no file asset of the app/)]);
  });
});
