import { Aws, CfnMapping, CfnOutput, CfnParameter, Fn, NestedStack, SecretValue, Stack } from 'aws-cdk-lib';
import * as dms from 'aws-cdk-lib/aws-dms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { acknowledge } from '../../../../aspects/acknowledgements';
import { secretValueNotCopied } from '../../../../aspects/rules';
import { judgeStack, resultsOf } from '../../../support/compliance';
import { compliantInstance } from '../../../support/constructs';

const ID = secretValueNotCopied.id;
const verdicts = (run: ReturnType<typeof judgeStack>) =>
  resultsOf(run, ID).map((r) => `${r.status} ${r.severity} ${r.resourceType}: ${r.evidence}`);

const fn = (s: Stack, environment: Record<string, string>) =>
  new lambda.Function(s, 'Reader', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
    environment,
  });

/** An EC2 instance in an isolated subnet: user data is where a secret's value is often pasted. */
const instance = (s: Stack) =>
  new ec2.Instance(s, 'Host', {
    vpc: new ec2.Vpc(s, 'Vpc', {
      maxAzs: 1,
      natGateways: 0,
      subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    }),
    instanceType: new ec2.InstanceType('t3.micro'),
    machineImage: ec2.MachineImage.genericLinux({ 'us-east-1': 'ami-12345678' }),
  });

describe(`${ID} a secret's value stays in Secrets Manager`, () => {
  test("passes the database's own generated secret as its master password", () => {
    expect(verdicts(judgeStack('prod', (s) => compliantInstance(s)))).toEqual([]);
  });

  test("fails a Lambda function's environment holding the password (L2, unsafeUnwrap)", () => {
    const run = judgeStack('prod', (s) => {
      const secret = new secretsmanager.Secret(s, 'Db');
      fn(s, { PASSWORD: secret.secretValueFromJson('password').unsafeUnwrap() });
    });
    expect(verdicts(run)).toEqual([
      expect.stringMatching(
        /^fail error AWS::Lambda::Function: Properties\/Environment\/Variables\/PASSWORD holds the value of the secret \$\{Db\w+\} \(not shown\)/,
      ),
    ]);
  });

  test('fails an SSM String parameter and EC2 user data (L1, escape hatch), in a nested stack too', () => {
    const run = judgeStack('prod', (s) => {
      const nested = new NestedStack(s, 'Config');
      new ssm.CfnParameter(nested, 'Copy', {
        type: 'String',
        value: '{{resolve:secretsmanager:orders-prod:SecretString:password::}}',
      });
      const host = instance(s);
      (host.node.defaultChild as ec2.CfnInstance).addPropertyOverride(
        'UserData',
        SecretValue.secretsManager('orders-prod', { jsonField: 'password' }).unsafeUnwrap(),
      );
    });
    expect(
      resultsOf(run, ID)
        .map((r) => `${r.status} ${r.resourceType} ${r.location}`)
        .sort(),
    ).toEqual(['fail AWS::EC2::Instance Properties/UserData', 'fail AWS::SSM::Parameter Properties/Value']);
  });

  test("a credential property of another service is the secret's place; a copy into another secret too", () => {
    const run = judgeStack('prod', (s) => {
      const source = new secretsmanager.Secret(s, 'Source');
      new secretsmanager.CfnSecret(s, 'Copy', { secretString: source.secretValue.unsafeUnwrap() });
    });
    expect(verdicts(run)).toEqual([]);
  });

  test("only the credential field of a resource that has one: a pipeline's OAuthToken, not its other settings", () => {
    const token = '{{resolve:secretsmanager:github-token:SecretString:token::}}';
    const run = judgeStack('prod', (s) => {
      new codepipeline.CfnPipeline(s, 'Pipeline', {
        roleArn: 'arn:aws:iam::111111111111:role/pipeline',
        artifactStore: { type: 'S3', location: 'artifacts' },
        stages: [
          {
            name: 'Source',
            actions: [
              {
                name: 'GitHub',
                actionTypeId: { category: 'Source', owner: 'ThirdParty', provider: 'GitHub', version: '1' },
                configuration: { Owner: 'spendsense', Repo: 'orders', Branch: 'main', OAuthToken: token },
                outputArtifacts: [{ name: 'src' }],
              },
            ],
          },
          {
            name: 'Build',
            actions: [
              {
                name: 'Migrate',
                actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
                configuration: {
                  ProjectName: 'migrate',
                  EnvironmentVariables: `[{"name":"PGPASSWORD","value":"{{resolve:secretsmanager:orders-prod:SecretString:password::}}"}]`,
                },
                inputArtifacts: [{ name: 'src' }],
              },
            ],
          },
        ],
      });
    });
    expect(resultsOf(run, ID).map((r) => r.location)).toEqual([
      'Properties/Stages/1/Actions/0/Configuration/EnvironmentVariables',
    ]);
  });

  test.each([
    [
      'L2 user data (Fn::Base64)',
      (s: Stack) => {
        const secret = new secretsmanager.Secret(s, 'Db');
        const host = instance(s);
        host.userData.addCommands(`export PGPASSWORD='${secret.secretValue.unsafeUnwrap()}'`);
      },
      'Properties/UserData',
    ],
    [
      'a Fn::Select by a parameter',
      (s: Stack) => {
        const index = new CfnParameter(s, 'Index', { type: 'Number' });
        fn(s, {
          PASSWORD: Fn.select(index.valueAsNumber, [
            '{{resolve:secretsmanager:orders-prod:SecretString:password::}}',
            'x',
          ]),
        });
      },
      'Properties/Environment/Variables/PASSWORD',
    ],
    [
      'a mapping',
      (s: Stack) => {
        new CfnMapping(s, 'Passwords', {
          mapping: { 'eu-west-1': { db: '{{resolve:secretsmanager:orders-prod:SecretString:password::}}' } },
        });
        fn(s, { PASSWORD: Fn.findInMap('Passwords', Aws.REGION, 'db') });
      },
      'Properties/Environment/Variables/PASSWORD',
    ],
    [
      'a dynamic reference whose service a parameter names',
      (s: Stack) => {
        new CfnParameter(s, 'Svc', { default: 'secretsmanager' });
        fn(s, { PASSWORD: Fn.sub('{{resolve:${Svc}:orders-prod:SecretString:password}}') });
      },
      'Properties/Environment/Variables/PASSWORD',
    ],
  ])('fails a copy synthesis cannot compute: %s', (_, build, location) => {
    expect(resultsOf(judgeStack('prod', build), ID).map((r) => `${r.status} ${r.location}`)).toEqual([
      `fail ${location}`,
    ]);
  });

  describe("an EventBridge connection's HTTP parameters: secret unless IsValueSecret is false", () => {
    const PASSWORD = '{{resolve:secretsmanager:orders-prod:SecretString:password::}}';
    test("L2: a parameter made with fromSecret stays in the connection's secret; one made with fromString does not", () => {
      const run = judgeStack('prod', (s) => {
        new events.Connection(s, 'Api', {
          authorization: events.Authorization.apiKey('x-api-key', SecretValue.unsafePlainText(PASSWORD)),
          headerParameters: {
            'x-db-password': events.HttpParameter.fromSecret(SecretValue.unsafePlainText(PASSWORD)),
            'x-db-copy': events.HttpParameter.fromString(PASSWORD),
          },
        });
      });
      expect(resultsOf(run, ID).map((r) => `${r.status} ${r.location}`)).toEqual([
        'fail Properties/AuthParameters/InvocationHttpParameters/HeaderParameters/1/Value',
      ]);
    });
    test.each<[string, boolean | 'parameter' | undefined, string[]]>([
      ['IsValueSecret left to its default (true)', undefined, []],
      ['IsValueSecret: false', false, ['fail']],
      ['IsValueSecret from a parameter', 'parameter', ['fail']],
    ])('L1, an OAuth body parameter with %s', (_, flag, expected) => {
      const run = judgeStack('prod', (s) => {
        const isValueSecret =
          flag === 'parameter'
            ? new CfnParameter(s, 'Flag', { type: 'String', allowedValues: ['true', 'false'] }).value
            : flag;
        new events.CfnConnection(s, 'Api', {
          authorizationType: 'OAUTH_CLIENT_CREDENTIALS',
          authParameters: {
            oAuthParameters: {
              authorizationEndpoint: 'https://auth.example.com/token',
              httpMethod: 'POST',
              clientParameters: { clientId: 'orders', clientSecret: PASSWORD },
              oAuthHttpParameters: { bodyParameters: [{ key: 'db_password', value: PASSWORD, isValueSecret }] },
            },
          },
        });
      });
      expect(resultsOf(run, ID).map((r) => r.status)).toEqual(expected);
    });
  });

  test('a master password from a secret whose ARN is a parameter is still the credential property', () => {
    const run = judgeStack('prod', (s) => {
      const arn = new CfnParameter(s, 'SecretArn').valueAsString;
      const secret = secretsmanager.Secret.fromSecretCompleteArn(s, 'Imported', arn);
      new rds.CfnDBInstance(s, 'Db', {
        engine: 'postgres',
        masterUsername: 'admin',
        masterUserPassword: secret.secretValueFromJson('password').unsafeUnwrap(),
      });
      new dms.CfnEndpoint(s, 'Mongo', {
        endpointType: 'source',
        engineName: 'mongodb',
        mongoDbSettings: { password: secret.secretValueFromJson('password').unsafeUnwrap() },
      });
    });
    expect(verdicts(run)).toEqual([]);
  });

  test('warns in dev, and a reviewed write-only property may be acknowledged in prod', () => {
    const build = (s: Stack) => {
      const secret = new secretsmanager.Secret(s, 'Db');
      return fn(s, { PASSWORD: secret.secretValue.unsafeUnwrap() });
    };
    expect(verdicts(judgeStack('dev', build))).toEqual([expect.stringMatching(/^warn warning/)]);
    const run = judgeStack('prod', (s) =>
      acknowledge(build(s), {
        ruleId: ID,
        reason: 'A throwaway credential of a test fixture, rotated by the test itself.',
        owner: 'team-db',
        expires: '2099-01-01',
      }),
    );
    expect(resultsOf(run, ID)).toEqual([expect.objectContaining({ status: 'acknowledged' })]);
  });

  test('the secret id is named, never a value', () => {
    const run = judgeStack('prod', (s) => {
      new CfnOutput(s, 'Unused', { value: 'x' });
      fn(s, { PASSWORD: '{{resolve:secretsmanager:orders-prod:SecretString:password::}}' });
    });
    expect(verdicts(run)).toEqual([expect.stringContaining('the secret orders-prod (not shown)')]);
  });
});
