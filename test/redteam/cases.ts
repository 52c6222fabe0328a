/**
 * The red-team registry: apps that must fail the policy gate (each names the rule ids the kit must report) and apps
 * that must pass it. Every case is synthesized by the real CDK CLI (see run.ts); `build` cases through app.ts,
 * `kitContext` cases through the kit's own app (cdk.json) with `-c` overrides.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  App,
  Aws,
  CfnMapping,
  CfnOutput,
  CfnParameter,
  CfnResource,
  CustomResource,
  Duration,
  Fn,
  NestedStack,
  Stack,
  Stage,
  Validations,
} from 'aws-cdk-lib';
import { CfnCustomResource, CfnStack, CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import * as docdb from 'aws-cdk-lib/aws-docdb';
import * as dms from 'aws-cdk-lib/aws-dms';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elb from 'aws-cdk-lib/aws-elasticloadbalancing';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as elbv2targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lightsail from 'aws-cdk-lib/aws-lightsail';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as redshiftserverless from 'aws-cdk-lib/aws-redshiftserverless';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import {
  accept,
  deployTimeCondition,
  EngineChoice,
  FIXTURE_EXPIRES,
  FIXTURE_OWNER,
  Kit,
  kitProd,
  PUBLIC_TEST_CIDR,
  TEAM_DB_PORT,
  teamAurora,
  teamDatabase,
  teamKey,
  teamL1Database,
  teamMultiAzCluster,
  teamProxy,
} from './fixtures';

export type { Kit } from './fixtures';

export const CASE_ENV = 'SPENDSENSE_REDTEAM_CASE';
export const GATE_ENV = 'SPENDSENSE_REDTEAM_GATE';
export const GUARD_PATH_ENV = 'SPENDSENSE_REDTEAM_GUARD_PATH';

export const GATES = ['kit', 'nag', 'guard', 'none'] as const;
export type Gate = (typeof GATES)[number];

export function isGate(value: string): value is Gate {
  return (GATES as readonly string[]).includes(value);
}

/** The class of hole a case probes; must-pass cases name the class they are the legitimate counterpart of. */
export const KLASSES = {
  A: 'enforcement',
  B: 'every template',
  C: 'CloudFormation semantics',
  D: 'AWS-managed keys',
  E: 'around the database',
  F: 'lowering the bar',
  G: 'kit context overrides',
} as const;
export type Klass = keyof typeof KLASSES;

export type Form = 'L2' | 'L1' | 'escape-hatch' | 'nested' | 'referenced' | 'context' | 'enforcement';

/** What the app does after `app.synth()`, as a team in a hurry might. */
export type After = 'catch' | 'exit0' | 'exitCode0' | 'lateExitListener';

interface CaseBase {
  /** kebab-case, unique. */
  readonly name: string;
  readonly expect: 'fail' | 'pass';
  /** must-fail: rule ids the kit gate must report; must-pass: none. */
  readonly ruleIds: readonly string[];
  readonly klass: Klass;
  readonly form: Form;
  /** Extra CLI arguments, such as a stack selector. */
  readonly cliArgs?: readonly string[];
  readonly after?: After;
  /** Context given to `new App({ context })`, where a team's app would set it. */
  readonly appContext?: Readonly<Record<string, string | boolean>>;
  /**
   * The environment the kit gate marks the App with (default prod). A case whose stacks of different environments meet
   * sets dev, so that each stack is judged by its own marking, not raised to prod by the App's.
   */
  readonly gateEnvironment?: 'dev';
}

export interface BuildCase extends CaseBase {
  /** Adds the case's stacks to `app`; `kit` is the package root. */
  build(app: App, kit: Kit): void;
  readonly kitContext?: never;
}

export interface KitContextCase extends CaseBase {
  /** `key=value` overrides for the kit's own app, each passed as `-c key=value`. */
  readonly kitContext: readonly string[];
  readonly build?: never;
}

export type RedteamCase = BuildCase | KitContextCase;

const MYSQL_8: EngineChoice = {
  engine: rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_0_40 }),
  parameters: { require_secure_transport: 'OFF' },
  logExports: ['error'],
  rotation: (o) => secretsmanager.HostedRotation.mysqlSingleUser(o),
  instanceType: ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE),
};

const SQLSERVER_16: EngineChoice = {
  engine: rds.DatabaseInstanceEngine.sqlServerSe({ version: rds.SqlServerEngineVersion.VER_16 }),
  parameters: { 'rds.force_ssl': '0' },
  logExports: ['error'],
  rotation: (o) => secretsmanager.HostedRotation.sqlServerSingleUser(o),
  instanceType: ec2.InstanceType.of(ec2.InstanceClass.M6I, ec2.InstanceSize.XLARGE),
  licenseModel: rds.LicenseModel.LICENSE_INCLUDED,
};

const MARIADB_10: EngineChoice = {
  engine: rds.DatabaseInstanceEngine.mariaDb({ version: rds.MariaDbEngineVersion.VER_10_11 }),
  parameters: undefined,
  logExports: ['error'],
  rotation: (o) => secretsmanager.HostedRotation.mariaDbSingleUser(o),
  instanceType: ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE),
};

/** A blue/green deployment of the team's database whose green copy's parameter group sets `rds.force_ssl`. */
function blueGreenOfTeamDatabase(kit: Kit, app: Construct, forceSsl: '0' | '1'): void {
  const t = teamDatabase(kit, teamStack(app));
  const green = new rds.CfnDBParameterGroup(t.stack, 'GreenParameters', {
    family: 'postgres17',
    description: 'Orders green: upgrade test',
    parameters: { 'rds.force_ssl': forceSsl },
  });
  new rds.CfnDeployment(t.stack, 'BlueGreen', {
    blueGreenDeploymentName: 'orders-upgrade',
    source: t.db.instanceArn,
    targetDbParameterGroupName: green.ref,
  });
}

/** A team's own stack; the app's gate judges it as prod. */
function teamStack(app: Construct): Stack {
  return new Stack(app, 'Orders-Database-prod');
}

const LIGHTSAIL_REVIEW = 'Reviewed: the marketing site database holds no SpendSense data, backups on.';

/** A Lightsail PostgreSQL database with automated backups. */
function lightsailPostgres(scope: Construct, props: { publiclyAccessible: boolean }): lightsail.CfnDatabase {
  return new lightsail.CfnDatabase(scope, 'SiteDatabase', {
    relationalDatabaseName: 'spendsense-site',
    relationalDatabaseBlueprintId: 'postgres_16',
    relationalDatabaseBundleId: 'micro_2_0',
    masterDatabaseName: 'site',
    masterUsername: 'site',
    backupRetention: !props.publiclyAccessible,
    publiclyAccessible: props.publiclyAccessible,
  });
}

/** A prod kit stack whose DeletionProtection is turned off with a raw override, the change cdk-nag cannot see. */
function unprotectedKitProd(kit: Kit, scope: Construct, id?: string): void {
  kitProd(kit, scope, id).db.addPropertyOverride('DeletionProtection', false);
}

/** An L1 security group in `scope` that admits `cidr` on the PostgreSQL port. */
function openGroup(scope: Construct, cidr: string): ec2.CfnSecurityGroup {
  return new ec2.CfnSecurityGroup(scope, 'VendorAccess', {
    groupDescription: 'Vendor access to the database port',
    vpcId: 'vpc-0123456789abcdef0',
    securityGroupIngress: [{ ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, cidrIp: cidr }],
  });
}

/** The findings cdk-nag raises on AwsCustomResource's policy and provider function, accepted as a team would. */
function acceptCustomResourceProvider(kit: Kit, stack: Stack, call: Construct): void {
  const reason =
    'The AwsCustomResource provider is a CDK-managed function that only makes the one SDK call it is given.';
  for (const ruleId of ['AwsSolutions-IAM5', 'NIST.800.53.R5-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy']) {
    accept(kit, call, ruleId, reason);
  }
  // The singleton provider's construct id is 'AWS' and its UUID without dashes.
  const provider = stack.node.findChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
  for (const ruleId of [
    'AwsSolutions-IAM4',
    'NIST.800.53.R5-LambdaConcurrency',
    'NIST.800.53.R5-LambdaDLQ',
    'NIST.800.53.R5-LambdaInsideVPC',
    'PCI.DSS.321-LambdaInsideVPC',
  ]) {
    accept(kit, provider, ruleId, reason);
  }
}

/** The kit's database security group, found in the construct tree as a team would find it. */
function databaseGroupOf(stack: Stack): ec2.SecurityGroup {
  const found = stack.node
    .findAll()
    .find((c): c is ec2.SecurityGroup => c instanceof ec2.SecurityGroup && c.node.id === 'DatabaseSecurityGroup');
  if (!found) throw new Error(`no DatabaseSecurityGroup under ${stack.node.path}`);
  return found;
}

const SEVEN_DAYS = Duration.days(7);

const SHORT_BACKUP_REASON = 'Orders keeps 7 days of backups; the nightly export to the data lake covers the rest.';

const FAIL: readonly RedteamCase[] = [
  // A. The verdict must reach the exit code, whatever the app or the CLI does around it.
  {
    name: 'a-stage-kit-prod-unprotected',
    expect: 'fail',
    ruleIds: ['SS-RDS-001'],
    klass: 'A',
    form: 'enforcement',
    build: (app, kit) => unprotectedKitProd(kit, new Stage(app, 'Team'), 'Database'),
  },
  {
    name: 'a-selector-hides-failing-stack',
    expect: 'fail',
    ruleIds: ['SS-RDS-001'],
    klass: 'A',
    form: 'enforcement',
    cliArgs: ['SomeCompliantStack'],
    build: (app, kit) => {
      unprotectedKitProd(kit, app);
      new Stack(app, 'SomeCompliantStack');
    },
  },
  {
    name: 'a-selector-hides-failing-stage',
    expect: 'fail',
    ruleIds: ['SS-RDS-001'],
    klass: 'A',
    form: 'enforcement',
    cliArgs: ['SomeCompliantStack'],
    build: (app, kit) => {
      unprotectedKitProd(kit, new Stage(app, 'Team'), 'Database');
      new Stack(app, 'SomeCompliantStack');
    },
  },
  {
    name: 'a-forged-path-metadata-acknowledged',
    expect: 'fail',
    ruleIds: ['SS-RDS-006'],
    klass: 'A',
    form: 'enforcement',
    build: (app, kit) => {
      const { stack, db } = kitProd(kit, app);
      db.addPropertyOverride('BackupRetentionPeriod', 1);
      // An acknowledgement on an empty construct, and the database's recorded path moved beneath it.
      const decoy = new Construct(stack, 'Exempt');
      accept(kit, decoy, 'SS-RDS-006', SHORT_BACKUP_REASON);
      db.addOverride('Metadata.aws:cdk:path', `${decoy.node.path}/Resource`);
    },
  },
  {
    name: 'a-removed-path-metadata-acknowledged',
    expect: 'fail',
    ruleIds: ['SS-RDS-006'],
    klass: 'A',
    form: 'enforcement',
    build: (app, kit) => {
      const { stack, db } = kitProd(kit, app);
      db.addPropertyOverride('BackupRetentionPeriod', 1);
      db.addOverride('Metadata', {});
      // Without path metadata a gate that trusts it places the resource at <stack>/<logicalId>: acknowledge that.
      const decoy = new Construct(stack, stack.resolve(db.logicalId) as string);
      accept(kit, decoy, 'SS-RDS-006', SHORT_BACKUP_REASON);
    },
  },
  {
    name: 'a-synth-error-caught',
    expect: 'fail',
    ruleIds: ['SS-RDS-001'],
    klass: 'A',
    form: 'enforcement',
    after: 'catch',
    build: (app, kit) => unprotectedKitProd(kit, app),
  },
  {
    name: 'a-process-exit-0-after-synth',
    expect: 'fail',
    ruleIds: ['SS-RDS-001'],
    klass: 'A',
    form: 'enforcement',
    after: 'exit0',
    build: (app, kit) => unprotectedKitProd(kit, app),
  },
  {
    name: 'a-late-exit-listener-and-report-removed',
    expect: 'fail',
    ruleIds: ['SS-RDS-001'],
    klass: 'A',
    form: 'enforcement',
    after: 'lateExitListener',
    build: (app, kit) => unprotectedKitProd(kit, app),
  },
  {
    name: 'a-exit-code-0-after-synth',
    expect: 'fail',
    ruleIds: ['SS-RDS-001'],
    klass: 'A',
    form: 'enforcement',
    after: 'exitCode0',
    build: (app, kit) => unprotectedKitProd(kit, app),
  },
  {
    // Registered before synthesis, so it runs before any exit listener the gate adds.
    name: 'a-exit-listener-resets-exit-code',
    expect: 'fail',
    ruleIds: ['SS-RDS-001'],
    klass: 'A',
    form: 'enforcement',
    build: (app, kit) => {
      process.on('exit', () => {
        process.exitCode = 0;
      });
      unprotectedKitProd(kit, app);
    },
  },
  {
    // As when a test spawns `cdk synth` without cleaning its environment: the app inherits the test runner's marker.
    name: 'a-test-runner-marker-inherited-exit-0',
    expect: 'fail',
    ruleIds: ['SS-RDS-001'],
    klass: 'A',
    form: 'enforcement',
    after: 'exit0',
    build: (app, kit) => {
      process.env.JEST_WORKER_ID = '1';
      unprotectedKitProd(kit, app);
    },
  },
  {
    name: 'a-fail-synth-on-validation-errors-off',
    expect: 'fail',
    ruleIds: ['SS-RDS-001'],
    klass: 'A',
    form: 'enforcement',
    appContext: { '@aws-cdk/core:failSynthOnValidationErrors': false },
    build: (app, kit) => unprotectedKitProd(kit, app),
  },
  {
    // A shared construct library that registers the gate first, in report-only mode: the app's own gate is then
    // the same plugin.
    name: 'a-first-gate-registered-without-enforcement',
    expect: 'fail',
    ruleIds: ['SS-RDS-001'],
    klass: 'A',
    form: 'enforcement',
    build: (app, kit) => {
      kit.applyCompliance(app, { enforce: false });
      unprotectedKitProd(kit, app);
    },
  },

  {
    // A Stage may carry its own gate; one that only reports must not shadow the app's.
    name: 'a-stage-own-gate-without-enforcement',
    expect: 'fail',
    ruleIds: ['SS-RDS-001'],
    klass: 'A',
    form: 'enforcement',
    build: (app, kit) => {
      const stage = new Stage(app, 'Team');
      kit.applyCompliance(stage, { enforce: false });
      unprotectedKitProd(kit, stage, 'Database');
    },
  },

  // B. Every template CloudFormation deploys is judged, or the app fails.
  {
    name: 'b-nested-under-kit-open-ingress',
    expect: 'fail',
    ruleIds: ['SS-EC2-001'],
    klass: 'B',
    form: 'nested',
    build: (app, kit) => {
      const { stack } = kitProd(kit, app);
      const nested = new NestedStack(stack, 'Extras');
      const sg = new ec2.SecurityGroup(nested, 'VendorAccess', {
        vpc: stack.vpc,
        description: 'Vendor access to the database port',
        allowAllOutbound: false,
      });
      sg.addIngressRule(ec2.Peer.ipv4(PUBLIC_TEST_CIDR), ec2.Port.tcp(5432), 'vendor office');
    },
  },
  {
    name: 'b-nested-under-team-open-ingress',
    expect: 'fail',
    ruleIds: ['SS-EC2-001'],
    klass: 'B',
    form: 'nested',
    build: (app) => {
      openGroup(new NestedStack(teamStack(app), 'Extras'), PUBLIC_TEST_CIDR);
    },
  },
  {
    name: 'b-nested-in-nested-open-ingress',
    expect: 'fail',
    ruleIds: ['SS-EC2-001'],
    klass: 'B',
    form: 'nested',
    build: (app) => {
      const outer = new NestedStack(teamStack(app), 'Outer');
      openGroup(new NestedStack(outer, 'Inner'), PUBLIC_TEST_CIDR);
    },
  },
  {
    name: 'b-nested-under-team-unprotected-db',
    expect: 'fail',
    ruleIds: ['SS-RDS-001'],
    klass: 'B',
    form: 'nested',
    build: (app, kit) => {
      teamDatabase(kit, new NestedStack(teamStack(app), 'Data'), { instance: { deletionProtection: false } });
    },
  },
  {
    name: 'b-nested-under-kit-unprotected-db',
    expect: 'fail',
    ruleIds: ['SS-RDS-001'],
    klass: 'B',
    form: 'nested',
    build: (app, kit) => {
      const { stack } = kitProd(kit, app);
      teamDatabase(kit, new NestedStack(stack, 'Reporting'), { instance: { deletionProtection: false } });
    },
  },
  {
    name: 'b-cfn-include-unprotected-db',
    expect: 'fail',
    ruleIds: ['SS-RDS-001', 'SS-RDS-002'],
    klass: 'B',
    form: 'L1',
    build: (app) => {
      new CfnInclude(teamStack(app), 'Vendor', { templateFile: join(__dirname, 'templates', 'vendor-database.json') });
    },
  },
  {
    name: 'b-cfn-stack-raw-template-url',
    expect: 'fail',
    ruleIds: ['SS-CFN-002'],
    klass: 'B',
    form: 'L1',
    build: (app) => {
      new CfnStack(teamStack(app), 'Vendor', {
        templateUrl: 'https://vendor-templates.s3.amazonaws.com/database.template.json',
      });
    },
  },
  {
    name: 'b-cfn-resource-of-stack-type',
    expect: 'fail',
    ruleIds: ['SS-CFN-002'],
    klass: 'B',
    form: 'L1',
    build: (app) => {
      new CfnResource(teamStack(app), 'Vendor', {
        type: 'AWS::CloudFormation::Stack',
        properties: { TemplateURL: 'https://vendor-templates.s3.amazonaws.com/database.template.json' },
      });
    },
  },
  {
    // A StackSet deploys its own template (here inline) into the accounts and regions it targets.
    name: 'b-stack-set-inline-database',
    expect: 'fail',
    ruleIds: ['SS-CFN-002'],
    klass: 'B',
    form: 'L1',
    build: (app) => {
      new CfnStackSet(teamStack(app), 'Databases', {
        permissionModel: 'SELF_MANAGED',
        stackSetName: 'orders-databases',
        templateBody: JSON.stringify({
          Resources: {
            Db: {
              Type: 'AWS::RDS::DBInstance',
              Properties: { Engine: 'postgres', DBInstanceClass: 'db.t4g.micro', PubliclyAccessible: true },
            },
          },
        }),
        stackInstancesGroup: [{ deploymentTargets: { accounts: ['111111111111'] }, regions: ['us-east-1'] }],
      });
    },
  },
  {
    name: 'b-service-catalog-provisioned-database',
    expect: 'fail',
    ruleIds: ['SS-CFN-002'],
    klass: 'B',
    form: 'escape-hatch',
    build: (app) => {
      new CfnResource(teamStack(app), 'Database', {
        type: 'AWS::ServiceCatalog::CloudFormationProvisionedProduct',
        properties: { ProductName: 'postgres-single-az', ProvisioningArtifactName: 'v1' },
      });
    },
  },
  {
    name: 'b-cloudformation-module-database',
    expect: 'fail',
    ruleIds: ['SS-CFN-001'],
    klass: 'B',
    form: 'escape-hatch',
    build: (app) => {
      new CfnResource(teamStack(app), 'Database', {
        type: 'Acme::Database::Postgres::MODULE',
        properties: { DeletionProtection: false },
      });
    },
  },
  {
    // The gate reads the nested stack's file; CloudFormation deploys whatever the overridden URL holds.
    name: 'b-nested-stack-template-url-overridden',
    expect: 'fail',
    ruleIds: ['SS-CFN-002'],
    klass: 'B',
    form: 'escape-hatch',
    build: (app) => {
      const nested = new NestedStack(teamStack(app), 'Extras');
      new ec2.CfnSecurityGroup(nested, 'Placeholder', {
        groupDescription: 'Placeholder with no ingress',
        vpcId: 'vpc-0123456789abcdef0',
      });
      (nested.nestedStackResource as CfnResource).addPropertyOverride(
        'TemplateURL',
        'https://vendor-templates.s3.amazonaws.com/database.template.json',
      );
    },
  },
  {
    name: 'b-serverless-transform',
    expect: 'fail',
    ruleIds: ['SS-CFN-001'],
    klass: 'B',
    form: 'L2',
    build: (app) => teamStack(app).addTransform('AWS::Serverless-2016-10-31'),
  },
  {
    name: 'b-language-extensions-transform',
    expect: 'fail',
    ruleIds: ['SS-CFN-001'],
    klass: 'B',
    form: 'L2',
    build: (app) => teamStack(app).addTransform('AWS::LanguageExtensions'),
  },
  {
    // An AWS::Include snippet can set any property of the database at deploy time.
    name: 'b-include-transform-in-db-properties',
    expect: 'fail',
    ruleIds: ['SS-CFN-001'],
    klass: 'B',
    form: 'escape-hatch',
    build: (app, kit) => {
      kitProd(kit, app).db.addOverride('Properties.Fn::Transform', {
        Name: 'AWS::Include',
        Parameters: { Location: 's3://vendor-templates/database-settings.yaml' },
      });
    },
  },
  {
    // What the include deploys is unseen: accepting it in prod would accept whatever it sets on the database.
    name: 'b-include-transform-acknowledged',
    expect: 'fail',
    ruleIds: ['SS-ACK-002', 'SS-CFN-001'],
    klass: 'B',
    form: 'escape-hatch',
    build: (app, kit) => {
      const { stack, db } = kitProd(kit, app);
      db.addOverride('Properties.Fn::Transform', {
        Name: 'AWS::Include',
        Parameters: { Location: 's3://vendor-templates/database-settings.yaml' },
      });
      accept(kit, stack, 'SS-CFN-001', 'The include only adds the vendor tags; reviewed by the platform team.');
    },
  },
  {
    name: 'b-cfn-stack-raw-template-url-acknowledged',
    expect: 'fail',
    ruleIds: ['SS-ACK-002', 'SS-CFN-002'],
    klass: 'B',
    form: 'L1',
    build: (app, kit) => {
      const vendor = new CfnStack(teamStack(app), 'Vendor', {
        templateUrl: 'https://vendor-templates.s3.amazonaws.com/database.template.json',
      });
      accept(kit, vendor, 'SS-CFN-002', 'The vendor template is reviewed by the platform team at each release.');
    },
  },
  {
    name: 'b-custom-resource-open-cidr',
    expect: 'fail',
    ruleIds: ['SS-CFN-004'],
    klass: 'B',
    form: 'L2',
    build: (app) => {
      new CustomResource(teamStack(app), 'VendorIngress', {
        serviceToken: 'arn:aws:lambda:us-east-1:111111111111:function:vendor-ingress',
        resourceType: 'Custom::IngressRule',
        properties: { GroupId: 'sg-0123456789abcdef0', CidrIp: '0.0.0.0/0', FromPort: 5432, ToPort: 5432 },
      });
    },
  },
  {
    // AwsCustomResource serializes the SDK call into one JSON string property: no key or value of its own names it.
    name: 'b-aws-custom-resource-turns-off-deletion-protection',
    expect: 'fail',
    ruleIds: ['SS-CFN-004'],
    klass: 'B',
    form: 'L2',
    build: (app, kit) => {
      const stack = teamStack(app);
      const call = new cr.AwsCustomResource(stack, 'DisableDeletionProtection', {
        onUpdate: {
          service: 'RDS',
          action: 'modifyDBInstance',
          parameters: { DBInstanceIdentifier: 'orders-prod', DeletionProtection: false, ApplyImmediately: true },
          physicalResourceId: cr.PhysicalResourceId.of('orders-prod-deletion-protection'),
        },
        policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
        installLatestAwsSdk: false,
      });
      // What a team accepts to get its provider function through cdk-nag; the call itself is what is left to judge.
      acceptCustomResourceProvider(kit, stack, call);
    },
  },
  {
    // The same call naming a template parameter: the SDK call is then a Fn::Join that synthesis cannot compute.
    name: 'b-aws-custom-resource-with-parameter-turns-off-deletion-protection',
    expect: 'fail',
    ruleIds: ['SS-CFN-004'],
    klass: 'B',
    form: 'L2',
    build: (app, kit) => {
      const stack = teamStack(app);
      const instance = new CfnParameter(stack, 'InstanceId', { type: 'String', default: 'orders-prod' });
      const call = new cr.AwsCustomResource(stack, 'DisableDeletionProtection', {
        onUpdate: {
          service: 'RDS',
          action: 'modifyDBInstance',
          parameters: { DBInstanceIdentifier: instance.valueAsString, DeletionProtection: false },
          physicalResourceId: cr.PhysicalResourceId.of('orders-prod-deletion-protection'),
        },
        policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
        installLatestAwsSdk: false,
      });
      acceptCustomResourceProvider(kit, stack, call);
    },
  },
  {
    name: 'b-custom-resource-joined-cidr',
    expect: 'fail',
    ruleIds: ['SS-CFN-004'],
    klass: 'B',
    form: 'escape-hatch',
    build: (app) => {
      const rule = new CustomResource(teamStack(app), 'VendorIngress', {
        serviceToken: 'arn:aws:lambda:us-east-1:111111111111:function:vendor-ingress',
        resourceType: 'Custom::IngressRule',
        properties: { GroupId: 'sg-0123456789abcdef0', Port: 5432 },
      });
      // Written as the intrinsic itself: aws-cdk-lib would join literal parts at synthesis.
      (rule.node.defaultChild as CfnResource).addPropertyOverride('Source', { 'Fn::Join': ['/', ['0.0.0.0', '0']] });
    },
  },
  {
    // A private registry type provisions the database with a handler of its own, as a custom resource does.
    name: 'b-registry-extension-database-unprotected',
    expect: 'fail',
    ruleIds: ['SS-CFN-004'],
    klass: 'B',
    form: 'L1',
    build: (app) => {
      new CfnResource(teamStack(app), 'OrdersDatabase', {
        type: 'Acme::Database::Postgres',
        properties: { Engine: 'postgres', DeletionProtection: false, PubliclyAccessible: true },
      });
    },
  },
  {
    // An association runs the document at deploy time; its API call is spelled out in the template.
    name: 'b-ssm-automation-turns-off-deletion-protection',
    expect: 'fail',
    ruleIds: ['SS-CFN-004'],
    klass: 'B',
    form: 'L1',
    build: (app, kit) => {
      const t = teamDatabase(kit, teamStack(app));
      const doc = new ssm.CfnDocument(t.stack, 'Unprotect', {
        documentType: 'Automation',
        content: {
          schemaVersion: '0.3',
          mainSteps: [
            {
              name: 'Modify',
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
      });
      new ssm.CfnAssociation(t.stack, 'RunOnce', { name: doc.ref });
    },
  },
  {
    // AWS-RunShellScript is AWS's document, not the template's: the command it is told to run is in the association.
    name: 'b-ssm-association-runs-cli-without-deletion-protection',
    expect: 'fail',
    ruleIds: ['SS-CFN-004'],
    klass: 'B',
    form: 'L1',
    build: (app, kit) => {
      const t = teamDatabase(kit, teamStack(app));
      new ssm.CfnAssociation(t.stack, 'Unprotect', {
        name: 'AWS-RunShellScript',
        targets: [{ key: 'tag:Role', values: ['bastion'] }],
        parameters: {
          commands: ['aws rds modify-db-instance --db-instance-identifier orders-prod --no-deletion-protection'],
        },
      });
    },
  },
  {
    // Without Parameters, a task sends its state input as the request: an earlier Pass state sets the change.
    name: 'b-sfn-task-sends-state-input-to-modify-cluster',
    expect: 'fail',
    ruleIds: ['SS-CFN-003'],
    klass: 'B',
    form: 'L2',
    build: (app, kit) => {
      const t = teamDatabase(kit, teamStack(app));
      const settings = new sfn.Pass(t.stack, 'Settings', {
        parameters: { 'DbInstanceIdentifier.$': '$.id', 'BackupRetentionPeriod.$': '$.days' },
      });
      const modify = new sfn.CustomState(t.stack, 'Modify', {
        stateJson: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:rds:modifyDBInstance' },
      });
      new sfn.StateMachine(t.stack, 'Shorten', {
        definitionBody: sfn.DefinitionBody.fromChainable(settings.next(modify)),
      });
    },
  },
  {
    name: 'b-sfn-jsonata-task-turns-off-multi-az',
    expect: 'fail',
    ruleIds: ['SS-CFN-004'],
    klass: 'B',
    form: 'escape-hatch',
    build: (app, kit) => {
      const t = teamDatabase(kit, teamStack(app));
      const machine = new sfn.StateMachine(t.stack, 'Downsize', {
        definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(t.stack, 'Start')),
      });
      (machine.node.defaultChild as sfn.CfnStateMachine).addPropertyOverride(
        'DefinitionString',
        JSON.stringify({
          QueryLanguage: 'JSONata',
          StartAt: 'Modify',
          States: {
            Modify: {
              Type: 'Task',
              Resource: 'arn:aws:states:::aws-sdk:rds:modifyDBInstance',
              Arguments: "{% {'DbInstanceIdentifier': 'orders-prod', 'MultiAZ': false, 'ApplyImmediately': true} %}",
              End: true,
            },
          },
        }),
      );
    },
  },
  {
    // DefinitionBody.fromFile uploads the definition as a file asset; the template only names its S3 location.
    name: 'b-sfn-definition-file-turns-off-deletion-protection',
    expect: 'fail',
    ruleIds: ['SS-CFN-004'],
    klass: 'B',
    form: 'L2',
    build: (app, kit) => {
      const t = teamDatabase(kit, teamStack(app));
      const file = join(mkdtempSync(join(tmpdir(), 'spendsense-redteam-')), 'unprotect.json');
      writeFileSync(
        file,
        JSON.stringify({
          StartAt: 'Unprotect',
          States: {
            Unprotect: {
              Type: 'Task',
              Resource: 'arn:aws:states:::aws-sdk:rds:modifyDBInstance',
              Parameters: { DbInstanceIdentifier: 'orders-prod', DeletionProtection: false, ApplyImmediately: true },
              End: true,
            },
          },
        }),
      );
      new sfn.StateMachine(t.stack, 'Unprotect', { definitionBody: sfn.DefinitionBody.fromFile(file) });
    },
  },
  {
    // A tools stack marked dev hands the prod database's identifier to an SDK call that turns its protection off.
    name: 'b-dev-stack-sdk-call-turns-off-prod-deletion-protection',
    expect: 'fail',
    ruleIds: ['SS-CFN-004'],
    klass: 'B',
    form: 'referenced',
    gateEnvironment: 'dev',
    build: (app, kit) => {
      const { stack: prod } = kitProd(kit, app);
      const tools = new Stack(app, 'Team-Tools');
      kit.applyCompliance(tools, { environment: 'dev' });
      const call = new cr.AwsCustomResource(tools, 'Maintenance', {
        onUpdate: {
          service: 'RDS',
          action: 'modifyDBInstance',
          parameters: {
            DBInstanceIdentifier: prod.database.instanceIdentifier,
            DeletionProtection: false,
            ApplyImmediately: true,
          },
          physicalResourceId: cr.PhysicalResourceId.of('maintenance'),
        },
        policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
        installLatestAwsSdk: false,
      });
      acceptCustomResourceProvider(kit, tools, call);
    },
  },
  {
    name: 'b-custom-resource-deletion-protection-off',
    expect: 'fail',
    ruleIds: ['SS-CFN-004'],
    klass: 'B',
    form: 'escape-hatch',
    build: (app) => {
      const cr = new CfnCustomResource(teamStack(app), 'DatabaseSettings', {
        serviceToken: 'arn:aws:lambda:us-east-1:111111111111:function:modify-db-instance',
      });
      cr.addPropertyOverride('DBInstanceIdentifier', 'orders-prod');
      cr.addPropertyOverride('DeletionProtection', false);
    },
  },
  {
    name: 'b-custom-resource-nested-public-setting',
    expect: 'fail',
    ruleIds: ['SS-CFN-004'],
    klass: 'B',
    form: 'L2',
    build: (app) => {
      new CustomResource(teamStack(app), 'DatabaseSettings', {
        serviceToken: 'arn:aws:lambda:us-east-1:111111111111:function:modify-db-instance',
        resourceType: 'Custom::ModifyDatabase',
        properties: { Target: 'orders-prod', Settings: { PubliclyAccessible: 'true', MultiAZ: 'false' } },
      });
    },
  },
  {
    // Prod refuses an acknowledgement of deletion protection on the database; one on the handler that turns it off
    // would accept the same thing.
    name: 'b-custom-resource-deletion-protection-off-acknowledged',
    expect: 'fail',
    ruleIds: ['SS-ACK-002', 'SS-CFN-004'],
    klass: 'B',
    form: 'escape-hatch',
    build: (app, kit) => {
      const settings = new CfnCustomResource(teamStack(app), 'DatabaseSettings', {
        serviceToken: 'arn:aws:lambda:us-east-1:111111111111:function:modify-db-instance',
      });
      settings.addPropertyOverride('DBInstanceIdentifier', 'orders-prod');
      settings.addPropertyOverride('DeletionProtection', false);
      accept(kit, settings, 'SS-CFN-004', 'The handler was reviewed by the platform team; it only toggles the flag.');
    },
  },
  {
    name: 'b-aws-custom-resource-opens-ingress-acknowledged',
    expect: 'fail',
    ruleIds: ['SS-ACK-002', 'SS-CFN-004'],
    klass: 'B',
    form: 'L2',
    build: (app, kit) => {
      const stack = teamStack(app);
      const call = new cr.AwsCustomResource(stack, 'OpenIngress', {
        onCreate: {
          service: 'EC2',
          action: 'authorizeSecurityGroupIngress',
          parameters: {
            GroupId: 'sg-0123456789abcdef0',
            IpProtocol: 'tcp',
            FromPort: 5432,
            ToPort: 5432,
            CidrIp: PUBLIC_TEST_CIDR,
          },
          physicalResourceId: cr.PhysicalResourceId.of('orders-prod-vendor-ingress'),
        },
        policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
        installLatestAwsSdk: false,
      });
      acceptCustomResourceProvider(kit, stack, call);
      accept(kit, call, 'SS-CFN-004', 'Vendor ingress opened by the onboarding runbook, reviewed by security.');
    },
  },
  {
    // No custom resource: an EventBridge Scheduler universal target calls the RDS API with the parameters it holds.
    name: 'b-scheduler-sdk-call-turns-off-deletion-protection',
    expect: 'fail',
    ruleIds: ['SS-CFN-004'],
    klass: 'B',
    form: 'L1',
    build: (app) => {
      new scheduler.CfnSchedule(teamStack(app), 'DisableDeletionProtection', {
        scheduleExpression: 'rate(1 hour)',
        flexibleTimeWindow: { mode: 'OFF' },
        target: {
          arn: 'arn:aws:scheduler:::aws-sdk:rds:modifyDBInstance',
          roleArn: 'arn:aws:iam::111111111111:role/orders-scheduler',
          input: JSON.stringify({
            DbInstanceIdentifier: 'orders-prod',
            DeletionProtection: false,
            ApplyImmediately: true,
          }),
        },
      });
    },
  },
  {
    name: 'b-step-functions-sdk-task-opens-ingress',
    expect: 'fail',
    ruleIds: ['SS-CFN-004'],
    klass: 'B',
    form: 'L2',
    build: (app) => {
      const stack = teamStack(app);
      const open = new tasks.CallAwsService(stack, 'OpenIngress', {
        service: 'ec2',
        action: 'authorizeSecurityGroupIngress',
        parameters: {
          GroupId: 'sg-0123456789abcdef0',
          IpProtocol: 'tcp',
          FromPort: 5432,
          ToPort: 5432,
          CidrIp: PUBLIC_TEST_CIDR,
        },
        iamResources: ['*'],
      });
      new sfn.StateMachine(stack, 'Onboarding', { definitionBody: sfn.DefinitionBody.fromChainable(open) });
    },
  },
  {
    name: 'b-custom-resource-backup-retention',
    expect: 'fail',
    ruleIds: ['SS-CFN-003'],
    klass: 'B',
    form: 'L1',
    build: (app) => {
      const settings = new CfnCustomResource(teamStack(app), 'DatabaseSettings', {
        serviceToken: 'arn:aws:lambda:us-east-1:111111111111:function:modify-db-instance',
      });
      settings.addPropertyOverride('DBInstanceIdentifier', 'orders-prod');
      settings.addPropertyOverride('BackupRetentionPeriod', 1);
    },
  },

  // C. Values CloudFormation decides at deploy time are judged in every case they can take.
  {
    name: 'c-if-deletion-protection',
    expect: 'fail',
    ruleIds: ['SS-RDS-001'],
    klass: 'C',
    form: 'L1',
    build: (app, kit) => {
      const stack = teamStack(app);
      teamDatabase(kit, stack).cfn.deletionProtection = Fn.conditionIf(
        deployTimeCondition(stack).logicalId,
        true,
        false,
      );
    },
  },
  {
    name: 'c-if-multi-az',
    expect: 'fail',
    ruleIds: ['SS-RDS-002'],
    klass: 'C',
    form: 'L1',
    build: (app, kit) => {
      const stack = teamStack(app);
      teamDatabase(kit, stack).cfn.multiAz = Fn.conditionIf(deployTimeCondition(stack).logicalId, true, false);
    },
  },
  {
    name: 'c-if-deletion-protection-no-value',
    expect: 'fail',
    ruleIds: ['SS-RDS-001'],
    klass: 'C',
    form: 'escape-hatch',
    build: (app, kit) => {
      const stack = teamStack(app);
      teamDatabase(kit, stack).cfn.addPropertyOverride(
        'DeletionProtection',
        Fn.conditionIf(deployTimeCondition(stack).logicalId, true, Aws.NO_VALUE),
      );
    },
  },
  {
    name: 'c-aurora-reader-under-condition',
    expect: 'fail',
    ruleIds: ['SS-RDS-002'],
    klass: 'C',
    form: 'L2',
    build: (app, kit) => {
      const stack = teamStack(app);
      teamAurora(kit, stack).reader.cfnOptions.condition = deployTimeCondition(stack);
    },
  },
  {
    name: 'c-aurora-instances-pinned-to-one-az',
    expect: 'fail',
    ruleIds: ['SS-RDS-002'],
    klass: 'C',
    form: 'L2',
    build: (app, kit) => {
      teamAurora(kit, teamStack(app), { availabilityZone: 'us-east-1a' }, { availabilityZone: 'us-east-1a' });
    },
  },
  {
    name: 'c-kms-key-without-storage-encrypted',
    expect: 'fail',
    ruleIds: ['SS-RDS-003'],
    klass: 'C',
    form: 'escape-hatch',
    build: (app, kit) => teamDatabase(kit, teamStack(app)).cfn.addPropertyDeletionOverride('StorageEncrypted'),
  },
  {
    name: 'c-parameter-multi-az-true-or-false',
    expect: 'fail',
    ruleIds: ['SS-RDS-002'],
    klass: 'C',
    form: 'referenced',
    build: (app, kit) => {
      const stack = teamStack(app);
      const multiAz = new CfnParameter(stack, 'MultiAz', { type: 'String', allowedValues: ['true', 'false'] });
      teamDatabase(kit, stack).cfn.addPropertyOverride('MultiAZ', multiAz.valueAsString);
    },
  },
  {
    name: 'c-parameter-deletion-protection-unconstrained',
    expect: 'fail',
    ruleIds: ['SS-RDS-001'],
    klass: 'C',
    form: 'referenced',
    build: (app, kit) => {
      const stack = teamStack(app);
      const protect = new CfnParameter(stack, 'DeletionProtection', { type: 'String', default: 'true' });
      teamDatabase(kit, stack).cfn.addPropertyOverride('DeletionProtection', protect.valueAsString);
    },
  },
  {
    // For Systems Manager parameter types CloudFormation checks AllowedValues against the parameter's key, not the
    // value it fetches ("Systems Manager parameter types", AWS CloudFormation User Guide).
    name: 'c-ssm-parameter-allowed-values-true',
    expect: 'fail',
    ruleIds: ['SS-RDS-001'],
    klass: 'C',
    form: 'referenced',
    build: (app, kit) => {
      const stack = teamStack(app);
      const protect = new CfnParameter(stack, 'DeletionProtection', {
        type: 'AWS::SSM::Parameter::Value<String>',
        allowedValues: ['true'],
        default: 'true',
      });
      teamDatabase(kit, stack).cfn.addPropertyOverride('DeletionProtection', protect.valueAsString);
    },
  },
  {
    name: 'c-mapping-deletion-protection',
    expect: 'fail',
    ruleIds: ['SS-RDS-001'],
    klass: 'C',
    form: 'referenced',
    build: (app, kit) => {
      const stack = teamStack(app);
      const settings = new CfnMapping(stack, 'Settings', {
        mapping: { 'us-east-1': { protect: 'false' }, 'eu-west-1': { protect: 'true' } },
      });
      teamDatabase(kit, stack).cfn.addPropertyOverride('DeletionProtection', settings.findInMap(Aws.REGION, 'protect'));
    },
  },
  {
    name: 'c-rotation-schedule-under-condition',
    expect: 'fail',
    ruleIds: ['SS-SM-002'],
    klass: 'C',
    form: 'L2',
    build: (app, kit) => {
      const stack = teamStack(app);
      const { secret } = teamDatabase(kit, stack);
      const schedule = secret.node.findChild('Rotation').node.defaultChild as secretsmanager.CfnRotationSchedule;
      schedule.cfnOptions.condition = deployTimeCondition(stack);
    },
  },
  {
    name: 'c-ingress-rule-inside-if',
    expect: 'fail',
    ruleIds: ['SS-EC2-001'],
    klass: 'C',
    form: 'escape-hatch',
    build: (app, kit) => {
      const stack = teamStack(app);
      const { securityGroup } = teamDatabase(kit, stack);
      (securityGroup.node.defaultChild as ec2.CfnSecurityGroup).addPropertyOverride('SecurityGroupIngress', [
        Fn.conditionIf(
          deployTimeCondition(stack).logicalId,
          { IpProtocol: 'tcp', FromPort: TEAM_DB_PORT, ToPort: TEAM_DB_PORT, CidrIp: '0.0.0.0/0' },
          Aws.NO_VALUE,
        ),
      ]);
    },
  },
  {
    name: 'c-deletion-protection-imported-false',
    expect: 'fail',
    ruleIds: ['SS-RDS-001'],
    klass: 'C',
    form: 'referenced',
    build: (app, kit) => {
      const settings = new Stack(app, 'Orders-Settings-prod');
      new CfnOutput(settings, 'Protect', { value: 'false', exportName: 'OrdersDeletionProtection' });
      const stack = teamStack(app);
      stack.addDependency(settings);
      teamDatabase(kit, stack).cfn.addPropertyOverride(
        'DeletionProtection',
        Fn.importValue('OrdersDeletionProtection'),
      );
    },
  },
  {
    name: 'c-nested-parameter-from-parent-false',
    expect: 'fail',
    ruleIds: ['SS-RDS-001'],
    klass: 'C',
    form: 'nested',
    build: (app, kit) => {
      const nested = new NestedStack(teamStack(app), 'Data', { parameters: { Protect: 'false' } });
      const protect = new CfnParameter(nested, 'Protect', { type: 'String' });
      teamDatabase(kit, nested).cfn.addPropertyOverride('DeletionProtection', protect.valueAsString);
    },
  },
  {
    // A point-in-time restore names its source as a replica does, but is a database of its own.
    name: 'c-point-in-time-restore-keeps-one-day-of-backups',
    expect: 'fail',
    ruleIds: ['SS-RDS-006'],
    klass: 'C',
    form: 'escape-hatch',
    build: (app, kit) => {
      const t = teamDatabase(kit, teamStack(app));
      const copy = new rds.DatabaseInstanceReadReplica(t.stack, 'Copy', {
        sourceDatabaseInstance: t.db,
        instanceType: ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE),
        vpc: t.vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        securityGroups: [t.securityGroup],
        multiAz: true,
        deletionProtection: true,
      });
      const cfn = copy.node.defaultChild as rds.CfnDBInstance;
      cfn.addPropertyOverride('UseLatestRestorableTime', true);
      cfn.addPropertyOverride('BackupRetentionPeriod', 1);
    },
  },
  {
    name: 'c-update-replace-policy-delete',
    expect: 'fail',
    ruleIds: ['SS-RDS-007'],
    klass: 'C',
    form: 'escape-hatch',
    build: (app, kit) => kitProd(kit, app).db.addOverride('UpdateReplacePolicy', 'Delete'),
  },

  // D. The AWS-managed key in every spelling, and keys synthesis cannot see.
  {
    // RDS keeps the password it manages in a secret under aws/secretsmanager unless MasterUserSecret names a key.
    name: 'd-managed-master-secret-aws-key',
    expect: 'fail',
    ruleIds: ['SS-SM-001'],
    klass: 'D',
    form: 'L1',
    build: (app, kit) => {
      teamL1Database(kit, teamStack(app), { masterUserSecret: undefined });
    },
  },
  {
    name: 'd-master-password-written-in-code',
    expect: 'fail',
    ruleIds: ['SS-SM-003'],
    klass: 'D',
    form: 'escape-hatch',
    build: (app, kit) => {
      teamDatabase(kit, teamStack(app)).cfn.addPropertyOverride('MasterUserPassword', 'fixture-not-a-secret-1');
    },
  },
  {
    // The kit's own key, encrypting the prod database and its secret, opened to every AWS account.
    name: 'd-kit-key-policy-allows-everyone',
    expect: 'fail',
    ruleIds: ['SS-IAM-001'],
    klass: 'D',
    form: 'L2',
    build: (app, kit) => {
      kitProd(kit, app).stack.key.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [new iam.AnyPrincipal()],
          actions: ['kms:Decrypt', 'kms:DescribeKey'],
          resources: ['*'],
        }),
      );
    },
  },
  {
    name: 'd-storage-key-aws-rds-alias',
    expect: 'fail',
    ruleIds: ['SS-RDS-003'],
    klass: 'D',
    form: 'escape-hatch',
    build: (app, kit) => teamDatabase(kit, teamStack(app)).cfn.addPropertyOverride('KmsKeyId', 'alias/aws/rds'),
  },
  {
    name: 'd-storage-key-aws-rds-fn-join',
    expect: 'fail',
    ruleIds: ['SS-RDS-003'],
    klass: 'D',
    form: 'referenced',
    build: (app, kit) => {
      teamDatabase(kit, teamStack(app)).cfn.kmsKeyId = Fn.join('', [
        'arn:',
        Aws.PARTITION,
        ':kms:',
        Aws.REGION,
        ':',
        Aws.ACCOUNT_ID,
        ':alias/aws/rds',
      ]);
    },
  },
  {
    name: 'd-storage-key-aws-rds-fn-sub',
    expect: 'fail',
    ruleIds: ['SS-RDS-003'],
    klass: 'D',
    form: 'referenced',
    build: (app, kit) => {
      teamDatabase(kit, teamStack(app)).cfn.kmsKeyId = Fn.sub(
        'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/aws/rds',
      );
    },
  },
  {
    name: 'd-storage-key-aws-rds-l2-alias',
    expect: 'fail',
    ruleIds: ['SS-RDS-003'],
    klass: 'D',
    form: 'L2',
    build: (app, kit) => {
      const stack = teamStack(app);
      teamDatabase(kit, stack, { storageKey: kms.Alias.fromAliasName(stack, 'AwsRds', 'alias/aws/rds') });
    },
  },
  {
    // An alias the app creates, in front of a key the app does not define: the real key's policy and rotation are unseen.
    name: 'd-storage-key-alias-of-outside-key',
    expect: 'fail',
    ruleIds: ['SS-RDS-003'],
    klass: 'D',
    form: 'L1',
    build: (app, kit) => {
      const stack = teamStack(app);
      const alias = new kms.CfnAlias(stack, 'DbKeyAlias', {
        aliasName: 'alias/orders-db',
        targetKeyId: 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      });
      teamDatabase(kit, stack).cfn.kmsKeyId = alias.ref;
    },
  },
  {
    // Every backup copied to another Region under that Region's AWS-managed key.
    name: 'd-kit-backups-replicated-under-aws-rds',
    expect: 'fail',
    ruleIds: ['SS-RDS-013'],
    klass: 'D',
    form: 'escape-hatch',
    build: (app, kit) => {
      const db = kitProd(kit, app).stack.database.node.defaultChild as rds.CfnDBInstance;
      db.addPropertyOverride('AutomaticBackupReplicationRegion', 'eu-central-1');
      db.addPropertyOverride('AutomaticBackupReplicationKmsKeyId', 'alias/aws/rds');
    },
  },
  {
    name: 'd-storage-key-imported-aws-managed',
    expect: 'fail',
    ruleIds: ['SS-RDS-003'],
    klass: 'D',
    form: 'referenced',
    build: (app, kit) => {
      const settings = new Stack(app, 'Orders-Settings-prod');
      new CfnOutput(settings, 'StorageKey', { value: 'alias/aws/rds', exportName: 'OrdersStorageKey' });
      const stack = teamStack(app);
      stack.addDependency(settings);
      teamDatabase(kit, stack).cfn.kmsKeyId = Fn.importValue('OrdersStorageKey');
    },
  },
  {
    name: 'd-storage-key-plain-parameter',
    expect: 'fail',
    ruleIds: ['SS-RDS-003'],
    klass: 'D',
    form: 'referenced',
    build: (app, kit) => {
      const stack = teamStack(app);
      const key = new CfnParameter(stack, 'StorageKeyArn', { type: 'String' });
      teamDatabase(kit, stack).cfn.kmsKeyId = key.valueAsString;
    },
  },
  {
    name: 'd-secret-aws-secretsmanager-alias',
    expect: 'fail',
    ruleIds: ['SS-SM-001'],
    klass: 'D',
    form: 'L2',
    build: (app, kit) => {
      const stack = teamStack(app);
      const awsManaged = kms.Alias.fromAliasName(stack, 'AwsSecretsManager', 'alias/aws/secretsmanager');
      teamDatabase(kit, stack, {
        instance: { credentials: rds.Credentials.fromGeneratedSecret('orders_admin', { encryptionKey: awsManaged }) },
      });
    },
  },
  {
    name: 'd-secret-without-key',
    expect: 'fail',
    ruleIds: ['SS-SM-001'],
    klass: 'D',
    form: 'L2',
    build: (app, kit) => {
      teamDatabase(kit, teamStack(app), {
        instance: { credentials: rds.Credentials.fromGeneratedSecret('orders_admin') },
      });
    },
  },
  {
    name: 'd-performance-insights-without-key',
    expect: 'fail',
    ruleIds: ['SS-RDS-010'],
    klass: 'D',
    form: 'L2',
    build: (app, kit) => {
      teamDatabase(kit, teamStack(app), { instance: { performanceInsightEncryptionKey: undefined } });
    },
  },
  {
    name: 'd-performance-insights-aws-rds-alias',
    expect: 'fail',
    ruleIds: ['SS-RDS-010'],
    klass: 'D',
    form: 'escape-hatch',
    build: (app, kit) => {
      kitProd(kit, app).db.addPropertyOverride('PerformanceInsightsKMSKeyId', 'alias/aws/rds');
    },
  },
  {
    name: 'd-log-group-without-key',
    expect: 'fail',
    ruleIds: ['SS-LOG-001'],
    klass: 'D',
    form: 'L2',
    build: (app, kit) => {
      const stack = teamStack(app);
      teamDatabase(kit, stack);
      new logs.LogGroup(stack, 'AuditLogs', { retention: logs.RetentionDays.ONE_YEAR });
    },
  },
  {
    // RDS creates the export log groups itself when the template has none, with no KMS key (the kit creates its own
    // for that reason).
    name: 'd-log-exports-without-log-groups',
    expect: 'fail',
    ruleIds: ['SS-LOG-001'],
    klass: 'D',
    form: 'L2',
    build: (app, kit) => {
      teamDatabase(kit, teamStack(app), { noLogGroups: true });
    },
  },
  {
    // An Aurora instance's Performance Insights key is its own; the cluster sets none here either.
    name: 'd-aurora-performance-insights-without-key',
    expect: 'fail',
    ruleIds: ['SS-RDS-010'],
    klass: 'D',
    form: 'L2',
    build: (app, kit) => {
      const noKey = { performanceInsightEncryptionKey: undefined };
      teamAurora(kit, teamStack(app), noKey, noKey);
    },
  },
  {
    name: 'd-kit-log-group-key-removed',
    expect: 'fail',
    ruleIds: ['SS-LOG-001'],
    klass: 'D',
    form: 'escape-hatch',
    build: (app, kit) => {
      const { stack } = kitProd(kit, app);
      const group = stack.platform.node.findChild('LogGroup-postgresql').node.defaultChild as logs.CfnLogGroup;
      group.addPropertyDeletionOverride('KmsKeyId');
    },
  },
  {
    name: 'd-kit-storage-key-rotation-off',
    expect: 'fail',
    ruleIds: ['SS-KMS-001'],
    klass: 'D',
    form: 'escape-hatch',
    build: (app, kit) => {
      (kitProd(kit, app).stack.key.node.defaultChild as kms.CfnKey).addPropertyOverride('EnableKeyRotation', false);
    },
  },

  // E. What sits around the database: clusters, proxies, other engines, subnets.
  {
    // The rule lives in the dev stack's template; the group it opens is the prod database's.
    name: 'e-dev-stack-opens-prod-database-group',
    expect: 'fail',
    gateEnvironment: 'dev',
    ruleIds: ['SS-EC2-001'],
    klass: 'E',
    form: 'referenced',
    build: (app, kit) => {
      const { stack: prod } = kitProd(kit, app);
      const dev = new kit.DatabaseStack(app, 'SpendSense-Database-dev', { profile: kit.getProfile('dev') });
      new ec2.CfnSecurityGroupIngress(dev, 'VendorAccessToProd', {
        groupId: databaseGroupOf(prod).securityGroupId,
        ipProtocol: 'tcp',
        fromPort: TEAM_DB_PORT,
        toPort: TEAM_DB_PORT,
        cidrIp: PUBLIC_TEST_CIDR,
      });
    },
  },
  {
    // The dev stack may acknowledge SS-EC2-001 on its own groups; not on a rule that opens the prod database's.
    name: 'e-dev-stack-acknowledges-opening-prod-group',
    expect: 'fail',
    gateEnvironment: 'dev',
    ruleIds: ['SS-EC2-001', 'SS-ACK-002'],
    klass: 'E',
    form: 'referenced',
    build: (app, kit) => {
      const { stack: prod } = kitProd(kit, app);
      const dev = new kit.DatabaseStack(app, 'SpendSense-Database-dev', { profile: kit.getProfile('dev') });
      const rule = new ec2.CfnSecurityGroupIngress(dev, 'VendorAccessToProd', {
        groupId: databaseGroupOf(prod).securityGroupId,
        ipProtocol: 'tcp',
        fromPort: TEAM_DB_PORT,
        toPort: TEAM_DB_PORT,
        cidrIp: PUBLIC_TEST_CIDR,
      });
      accept(kit, rule, 'SS-EC2-001', 'The vendor reaches the database from its office range.');
    },
  },
  {
    // A shared group imported by id: its ingress is in no template, so the gate cannot tell what reaches the port.
    name: 'e-database-behind-imported-security-group',
    expect: 'fail',
    ruleIds: ['SS-RDS-014'],
    klass: 'E',
    form: 'L2',
    build: (app, kit) => {
      const stack = teamStack(app);
      teamDatabase(kit, stack, {
        instance: {
          securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'SharedGroup', 'sg-0123456789abcdef0')],
        },
      });
    },
  },
  {
    // Principal * "unless the caller is in our account": a negation admits every other account.
    name: 'e-key-policy-open-unless-own-account',
    expect: 'fail',
    ruleIds: ['SS-IAM-001'],
    klass: 'E',
    form: 'L2',
    build: (app, kit) => {
      teamDatabase(kit, teamStack(app)).key.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [new iam.AnyPrincipal()],
          actions: ['kms:Decrypt'],
          resources: ['*'],
          conditions: { StringNotEquals: { 'aws:PrincipalAccount': '111111111111' } },
        }),
      );
    },
  },
  {
    // The database's secret replicated to another Region with no key named there: aws/secretsmanager of that Region.
    name: 'd-secret-replica-under-aws-managed-key',
    expect: 'fail',
    ruleIds: ['SS-SM-001'],
    klass: 'D',
    form: 'escape-hatch',
    build: (app, kit) => {
      // db.secret is the attachment; the generated secret is the instance's child.
      const secret = teamDatabase(kit, teamStack(app)).db.node.findChild('Secret');
      (secret.node.defaultChild as secretsmanager.CfnSecret).addPropertyOverride('ReplicaRegions', [
        { Region: 'eu-west-1' },
      ]);
    },
  },
  {
    // The same PostgreSQL on Lightsail: public, without backups, none of RDS's settings to judge.
    name: 'e-lightsail-public-postgres',
    expect: 'fail',
    ruleIds: ['SS-DB-001', 'SS-DB-002'],
    klass: 'E',
    form: 'L1',
    build: (app) => {
      lightsailPostgres(teamStack(app), { publiclyAccessible: true });
    },
  },
  {
    // A review accepts the service; it cannot accept the public endpoint, set here through an escape hatch.
    name: 'e-lightsail-reviewed-made-public',
    expect: 'fail',
    ruleIds: ['SS-DB-002'],
    klass: 'E',
    form: 'escape-hatch',
    build: (app, kit) => {
      const db = lightsailPostgres(teamStack(app), { publiclyAccessible: false });
      db.addPropertyOverride('PubliclyAccessible', true);
      accept(kit, db, 'SS-DB-001', LIGHTSAIL_REVIEW);
    },
  },
  {
    name: 'e-docdb-cluster-in-prod',
    expect: 'fail',
    ruleIds: ['SS-DB-001'],
    klass: 'E',
    form: 'L2',
    build: (app) => {
      const stack = teamStack(app);
      new docdb.DatabaseCluster(stack, 'Documents', {
        masterUser: { username: 'spendsense' },
        vpc: new ec2.Vpc(stack, 'Vpc', {
          subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
        }),
        instanceType: ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE),
      });
    },
  },
  {
    name: 'e-redshift-serverless-public-in-nested-stack',
    expect: 'fail',
    ruleIds: ['SS-DB-001', 'SS-DB-002'],
    klass: 'E',
    form: 'nested',
    build: (app) => {
      const nested = new NestedStack(teamStack(app), 'Analytics');
      new redshiftserverless.CfnNamespace(nested, 'Namespace', { namespaceName: 'spendsense' });
      new redshiftserverless.CfnWorkgroup(nested, 'Workgroup', {
        workgroupName: 'spendsense',
        namespaceName: 'spendsense',
        publiclyAccessible: true,
      });
    },
  },
  {
    // The database group admits only the VPC's range; an internet-facing NLB's nodes pass the internet in from it.
    name: 'e-internet-facing-nlb-to-database',
    expect: 'fail',
    ruleIds: ['SS-ELB-001'],
    klass: 'E',
    form: 'L2',
    build: (app, kit) => {
      const t = teamDatabase(kit, teamStack(app), {
        vpc: {
          subnetConfiguration: [
            { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
            { name: 'edge', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
          ],
        },
      });
      t.securityGroup.addIngressRule(ec2.Peer.ipv4(t.vpc.vpcCidrBlock), ec2.Port.tcp(TEAM_DB_PORT));
      const nlb = new elbv2.NetworkLoadBalancer(t.stack, 'VendorNlb', { vpc: t.vpc, internetFacing: true });
      nlb.addListener('Postgres', { port: TEAM_DB_PORT }).addTargets('Database', {
        port: TEAM_DB_PORT,
        targets: [new elbv2targets.IpTarget('10.0.0.25')],
      });
    },
  },
  {
    name: 'e-internal-nlb-made-internet-facing',
    expect: 'fail',
    ruleIds: ['SS-ELB-001'],
    klass: 'E',
    form: 'escape-hatch',
    build: (app, kit) => {
      const t = teamDatabase(kit, teamStack(app));
      const nlb = new elbv2.NetworkLoadBalancer(t.stack, 'ReportingNlb', { vpc: t.vpc, internetFacing: false });
      nlb.addListener('Postgres', { port: 443 }).addTargets('Database', {
        port: TEAM_DB_PORT,
        targets: [new elbv2targets.IpTarget('10.0.0.25')],
      });
      (nlb.node.defaultChild as elbv2.CfnLoadBalancer).addPropertyOverride('Scheme', 'internet-facing');
    },
  },
  {
    // A classic load balancer with no Scheme is internet-facing.
    name: 'e-classic-elb-default-scheme-to-database',
    expect: 'fail',
    ruleIds: ['SS-ELB-001'],
    klass: 'E',
    form: 'L1',
    build: (app, kit) => {
      const t = teamDatabase(kit, teamStack(app));
      new elb.CfnLoadBalancer(t.stack, 'LegacyProxy', {
        listeners: [{ loadBalancerPort: String(TEAM_DB_PORT), instancePort: String(TEAM_DB_PORT), protocol: 'TCP' }],
        subnets: t.vpc.isolatedSubnets.map((n) => n.subnetId),
      });
    },
  },
  {
    // The kit's prod database admits its VPC's range; a PrivateLink service in front of it admits every account.
    name: 'e-kit-prod-endpoint-service-open-to-all',
    expect: 'fail',
    ruleIds: ['SS-ELB-002'],
    klass: 'E',
    form: 'L1',
    build: (app, kit) => {
      const { stack } = kitProd(kit, app);
      databaseGroupOf(stack).addIngressRule(ec2.Peer.ipv4(stack.vpc.vpcCidrBlock), ec2.Port.tcp(5432), 'the VPC');
      const nlb = new elbv2.NetworkLoadBalancer(stack, 'PartnerNlb', { vpc: stack.vpc, internetFacing: false });
      nlb.addListener('Postgres', { port: 5432 }).addTargets('Database', {
        port: 5432,
        targets: [new elbv2targets.IpTarget('10.0.0.25')],
      });
      const service = new ec2.CfnVPCEndpointService(stack, 'PartnerService', {
        networkLoadBalancerArns: [nlb.loadBalancerArn],
        acceptanceRequired: false,
      });
      new ec2.CfnVPCEndpointServicePermissions(stack, 'PartnerPermissions', {
        serviceId: service.ref,
        allowedPrincipals: ['*'],
      });
    },
  },
  {
    // Zero-ETL copies every row of the prod cluster into a warehouse of another account, under an AWS owned key.
    name: 'e-aurora-zero-etl-to-another-account',
    expect: 'fail',
    ruleIds: ['SS-RDS-011'],
    klass: 'E',
    form: 'referenced',
    build: (app, kit) => {
      const stack = teamStack(app);
      const { cluster } = teamAurora(kit, stack);
      new rds.CfnIntegration(stack, 'ToPartnerWarehouse', {
        sourceArn: cluster.clusterArn,
        targetArn: 'arn:aws:redshift-serverless:us-east-1:222222222222:namespace/partner-analytics',
      });
    },
  },
  {
    name: 'e-multi-az-db-cluster-public',
    expect: 'fail',
    ruleIds: ['SS-RDS-004'],
    klass: 'E',
    form: 'L1',
    build: (app, kit) => {
      teamMultiAzCluster(kit, teamStack(app), { publiclyAccessible: true });
    },
  },
  {
    name: 'e-aurora-writer-public',
    expect: 'fail',
    ruleIds: ['SS-RDS-004'],
    klass: 'E',
    form: 'L2',
    build: (app, kit) => {
      teamAurora(kit, teamStack(app), { publiclyAccessible: true });
    },
  },
  {
    // SQL over the RDS service's HTTPS endpoint, outside the VPC, with no review.
    name: 'e-aurora-data-api-on',
    expect: 'fail',
    ruleIds: ['SS-RDS-012'],
    klass: 'E',
    form: 'escape-hatch',
    build: (app, kit) => {
      const { cluster } = teamAurora(kit, teamStack(app));
      (cluster.node.defaultChild as rds.CfnDBCluster).addPropertyOverride('EnableHttpEndpoint', true);
    },
  },
  {
    // A global database replicates the cluster to other Regions; created empty and unencrypted, its members must match.
    name: 'e-global-database-unencrypted-unprotected',
    expect: 'fail',
    ruleIds: ['SS-RDS-001', 'SS-RDS-003'],
    klass: 'E',
    form: 'L1',
    build: (app) => {
      new rds.CfnGlobalCluster(teamStack(app), 'OrdersGlobal', {
        globalClusterIdentifier: 'orders-global',
        engine: 'aurora-postgresql',
        engineVersion: '16.6',
      });
    },
  },
  {
    // Every row of the prod database, then every change, streamed by DMS to a bucket no rule judges.
    name: 'e-dms-copies-prod-database-out',
    expect: 'fail',
    ruleIds: ['SS-DB-003'],
    klass: 'E',
    form: 'referenced',
    build: (app, kit) => {
      const { stack } = kitProd(kit, app);
      const team = teamStack(app);
      const source = new dms.CfnEndpoint(team, 'OrdersSource', {
        endpointType: 'source',
        engineName: 'postgres',
        serverName: stack.database.dbInstanceEndpointAddress,
        port: 5432,
        databaseName: 'spendsense',
        sslMode: 'require',
      });
      const target = new dms.CfnEndpoint(team, 'ExportTarget', {
        endpointType: 'target',
        engineName: 's3',
        s3Settings: { bucketName: 'orders-export', serviceAccessRoleArn: 'arn:aws:iam::111111111111:role/dms' },
      });
      new dms.CfnReplicationTask(team, 'Export', {
        migrationType: 'full-load-and-cdc',
        replicationInstanceArn: 'arn:aws:dms:us-east-1:111111111111:rep:orders',
        sourceEndpointArn: source.ref,
        targetEndpointArn: target.ref,
        tableMappings: '{"rules":[]}',
      });
    },
  },
  {
    // The prod master password resolved at deploy into an SSM String parameter, readable by anyone who may read it.
    name: 'e-prod-password-copied-into-ssm-parameter',
    expect: 'fail',
    ruleIds: ['SS-SM-004'],
    klass: 'E',
    form: 'referenced',
    build: (app, kit) => {
      const { stack } = kitProd(kit, app);
      new ssm.StringParameter(teamStack(app), 'OrdersPassword', {
        parameterName: '/orders/prod/db-password',
        stringValue: stack.credentialsSecret.secretValueFromJson('password').unsafeUnwrap(),
      });
    },
  },
  {
    // A dev stack's vendor group, open to a public range (a dev warning), in front of a prod database.
    name: 'e-prod-database-behind-dev-stack-open-group',
    expect: 'fail',
    ruleIds: ['SS-EC2-001'],
    klass: 'E',
    form: 'referenced',
    gateEnvironment: 'dev',
    build: (app, kit) => {
      const shared = new Stack(app, 'Orders-Shared-dev');
      kit.applyCompliance(shared, { environment: 'dev' });
      const vpc = ec2.Vpc.fromVpcAttributes(shared, 'Network', {
        vpcId: 'vpc-0123456789abcdef0',
        availabilityZones: ['us-east-1a', 'us-east-1b'],
      });
      const vendor = new ec2.SecurityGroup(shared, 'VendorAccess', { vpc, allowAllOutbound: false });
      vendor.addIngressRule(ec2.Peer.ipv4(PUBLIC_TEST_CIDR), ec2.Port.tcp(TEAM_DB_PORT), 'vendor office');
      const stack = teamStack(app);
      kit.applyCompliance(stack, { environment: 'prod', nagPacks: ['AwsSolutions', 'NIST80053R5', 'PCIDSS321'] });
      teamDatabase(kit, stack).cfn.addPropertyOverride('VPCSecurityGroups', [vendor.securityGroupId]);
    },
  },
  {
    // A writable point-in-time copy of the prod database in a dev stack, unprotected, Single-AZ, one day of backups.
    name: 'e-dev-stack-restores-copy-of-prod-database',
    expect: 'fail',
    ruleIds: ['SS-RDS-001', 'SS-RDS-002', 'SS-RDS-006'],
    klass: 'E',
    form: 'referenced',
    gateEnvironment: 'dev',
    build: (app, kit) => {
      const stack = teamStack(app);
      kit.applyCompliance(stack, { environment: 'prod', nagPacks: ['AwsSolutions', 'NIST80053R5', 'PCIDSS321'] });
      const t = teamL1Database(kit, stack);
      const analytics = new Stack(app, 'Orders-Analytics-dev');
      kit.applyCompliance(analytics, { environment: 'dev' });
      new rds.CfnDBInstance(analytics, 'ProdCopy', {
        dbInstanceIdentifier: 'orders-analytics',
        dbInstanceClass: 'db.m7g.large',
        sourceDbInstanceIdentifier: t.cfn.ref,
        useLatestRestorableTime: true,
        dbSubnetGroupName: t.subnetGroup.ref,
        vpcSecurityGroups: [t.securityGroup.securityGroupId],
        publiclyAccessible: false,
        multiAz: false,
        deletionProtection: false,
        backupRetentionPeriod: 1,
      });
    },
  },
  {
    // An instance restored from a Multi-AZ DB cluster snapshot takes the snapshot's encryption, whatever KmsKeyId says.
    name: 'd-instance-restored-from-cluster-snapshot',
    expect: 'fail',
    ruleIds: ['SS-RDS-003'],
    klass: 'D',
    form: 'escape-hatch',
    build: (app, kit) => {
      teamDatabase(kit, teamStack(app)).cfn.addPropertyOverride(
        'DBClusterSnapshotIdentifier',
        'arn:aws:rds:eu-west-1:222222222222:cluster-snapshot:partner-orders',
      );
    },
  },
  {
    // The master password read from a secret the app does not define: its key may be aws/secretsmanager.
    name: 'd-master-password-from-secret-outside-app',
    expect: 'fail',
    ruleIds: ['SS-SM-001'],
    klass: 'D',
    form: 'L2',
    build: (app, kit) => {
      const stack = teamStack(app);
      const legacy = secretsmanager.Secret.fromSecretNameV2(stack, 'Legacy', 'orders/legacy-admin');
      teamDatabase(kit, stack, { instance: { credentials: rds.Credentials.fromSecret(legacy, 'orders_admin') } });
    },
  },
  {
    // aws:VpcSourceIp is an address in whichever VPC the caller's endpoint is in: 10.0.0.0/8 is every account's.
    name: 'e-key-policy-open-to-any-vpc-private-range',
    expect: 'fail',
    ruleIds: ['SS-IAM-001'],
    klass: 'E',
    form: 'L2',
    build: (app, kit) => {
      teamDatabase(kit, teamStack(app)).key.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [new iam.AnyPrincipal()],
          actions: ['kms:Decrypt', 'kms:DescribeKey'],
          resources: ['*'],
          conditions: { IpAddress: { 'aws:VpcSourceIp': '10.0.0.0/8' } },
        }),
      );
    },
  },
  {
    name: 'e-proxy-endpoint-behind-imported-group',
    expect: 'fail',
    ruleIds: ['SS-RDS-014'],
    klass: 'E',
    form: 'L1',
    build: (app, kit) => {
      const t = teamDatabase(kit, teamStack(app));
      const proxy = teamProxy(kit, t, true);
      new rds.CfnDBProxyEndpoint(t.stack, 'VendorEndpoint', {
        dbProxyName: proxy.dbProxyName,
        dbProxyEndpointName: 'orders-vendor',
        vpcSubnetIds: t.vpc.isolatedSubnets.map((n) => n.subnetId),
        vpcSecurityGroupIds: ['sg-0123456789abcdef0'],
      });
    },
  },
  {
    // A blue/green deployment's green copy, production after switchover, on a parameter group without TLS.
    name: 'e-blue-green-green-without-tls',
    expect: 'fail',
    ruleIds: ['SS-RDS-005'],
    klass: 'E',
    form: 'L1',
    build: (app, kit) => blueGreenOfTeamDatabase(kit, app, '0'),
  },
  {
    name: 'e-proxy-debug-logging-on',
    expect: 'fail',
    ruleIds: ['SS-RDS-015'],
    klass: 'E',
    form: 'escape-hatch',
    build: (app, kit) => {
      const proxy = teamProxy(kit, teamDatabase(kit, teamStack(app)), true);
      (proxy.node.defaultChild as rds.CfnDBProxy).addPropertyOverride('DebugLogging', true);
    },
  },
  {
    // Restored without Engine, a Multi-AZ DB cluster takes its source's: it was skipped as an Aurora cluster.
    name: 'e-public-multi-az-cluster-restored-without-engine',
    expect: 'fail',
    ruleIds: ['SS-RDS-004'],
    klass: 'E',
    form: 'L1',
    build: (app, kit) => {
      const stack = teamStack(app);
      const source = teamMultiAzCluster(kit, stack);
      const restored = new rds.CfnDBCluster(stack, 'Restored', {
        dbClusterIdentifier: 'orders-restored',
        sourceDbClusterIdentifier: source.ref,
        useLatestRestorableTime: true,
        restoreType: 'copy-on-write',
        dbClusterInstanceClass: 'db.m6gd.large',
        publiclyAccessible: true,
        dbSubnetGroupName: source.dbSubnetGroupName,
        vpcSecurityGroupIds: source.vpcSecurityGroupIds,
        dbClusterParameterGroupName: source.dbClusterParameterGroupName,
        storageEncrypted: true,
        kmsKeyId: source.kmsKeyId,
        deletionProtection: true,
        backupRetentionPeriod: 14,
      });
      restored.cfnOptions.deletionPolicy = source.cfnOptions.deletionPolicy;
    },
  },
  {
    name: 'e-proxy-without-tls',
    expect: 'fail',
    ruleIds: ['SS-RDS-008'],
    klass: 'E',
    form: 'L2',
    build: (app, kit) => {
      teamProxy(kit, teamDatabase(kit, teamStack(app)), false);
    },
  },
  {
    name: 'e-kit-proxy-tls-overridden',
    expect: 'fail',
    ruleIds: ['SS-RDS-008'],
    klass: 'E',
    form: 'escape-hatch',
    build: (app, kit) => {
      const { stack } = kitProd(kit, app);
      (stack.proxy!.node.defaultChild as rds.CfnDBProxy).addPropertyOverride('RequireTLS', false);
    },
  },
  {
    name: 'e-mysql-secure-transport-off',
    expect: 'fail',
    ruleIds: ['SS-RDS-005'],
    klass: 'E',
    form: 'L2',
    build: (app, kit) => {
      teamDatabase(kit, teamStack(app), { engine: MYSQL_8 });
    },
  },
  {
    name: 'e-sqlserver-force-ssl-0',
    expect: 'fail',
    ruleIds: ['SS-RDS-005'],
    klass: 'E',
    form: 'L2',
    build: (app, kit) => {
      teamDatabase(kit, teamStack(app), { engine: SQLSERVER_16 });
    },
  },
  {
    name: 'e-mariadb-default-parameter-group',
    expect: 'fail',
    ruleIds: ['SS-RDS-005'],
    klass: 'E',
    form: 'L2',
    build: (app, kit) => {
      teamDatabase(kit, teamStack(app), { engine: MARIADB_10 });
    },
  },
  {
    name: 'e-instance-in-public-subnets',
    expect: 'fail',
    ruleIds: ['SS-RDS-009'],
    klass: 'E',
    form: 'L2',
    build: (app, kit) => {
      teamDatabase(kit, teamStack(app), {
        vpc: {
          subnetConfiguration: [
            { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
            { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
          ],
        },
        instance: { vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } },
      });
    },
  },
  {
    // The subnets' route tables live in the database's template; the route to the internet gateway does not. A partner
    // range rather than 0.0.0.0/0, which cdk-nag's VPCNoUnrestrictedRouteToIGW would flag on the route.
    name: 'e-internet-route-added-from-sibling-stack',
    expect: 'fail',
    ruleIds: ['SS-RDS-009'],
    klass: 'E',
    form: 'referenced',
    build: (app, kit) => {
      const t = teamDatabase(kit, teamStack(app));
      const network = new Stack(app, 'Orders-Network-prod');
      const igw = new ec2.CfnInternetGateway(network, 'InternetGateway');
      new ec2.CfnVPCGatewayAttachment(network, 'Attachment', { vpcId: t.vpc.vpcId, internetGatewayId: igw.ref });
      t.vpc.isolatedSubnets.forEach((subnet, i) => {
        new ec2.CfnRoute(network, `DefaultRoute${i}`, {
          routeTableId: subnet.routeTable.routeTableId,
          destinationCidrBlock: PUBLIC_TEST_CIDR,
          gatewayId: igw.ref,
        });
      });
    },
  },
  {
    name: 'e-l1-instance-without-subnet-group',
    expect: 'fail',
    ruleIds: ['SS-RDS-009'],
    klass: 'E',
    form: 'L1',
    build: (app, kit) => {
      teamL1Database(kit, teamStack(app), { dbSubnetGroupName: undefined });
    },
  },
  {
    name: 'e-l1-subnet-group-outside-template',
    expect: 'fail',
    ruleIds: ['SS-RDS-009'],
    klass: 'E',
    form: 'L1',
    build: (app, kit) => {
      teamL1Database(kit, teamStack(app), { dbSubnetGroupName: 'shared-database-subnets' });
    },
  },
  {
    name: 'e-l1-subnet-group-of-foreign-subnets',
    expect: 'fail',
    ruleIds: ['SS-RDS-009'],
    klass: 'E',
    form: 'L1',
    build: (app, kit) => {
      const t = teamL1Database(kit, teamStack(app));
      t.subnetGroup.subnetIds = ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'];
    },
  },

  // F. Ways to lower the bar rather than meet it.
  {
    name: 'f-kit-prod-judged-as-dev',
    expect: 'fail',
    ruleIds: ['SS-RDS-002'],
    klass: 'F',
    form: 'L2',
    build: (app, kit) => {
      const { stack } = kitProd(kit, app, undefined, { multiAz: false });
      kit.applyCompliance(stack, { environment: 'dev' });
    },
  },
  {
    // Markings were a property under a global symbol, which the judged code could overwrite after applyCompliance.
    name: 'f-kit-prod-marking-overwritten',
    expect: 'fail',
    ruleIds: ['SS-RDS-001'],
    klass: 'F',
    form: 'escape-hatch',
    build: (app, kit) => {
      unprotectedKitProd(kit, app);
      kit.applyCompliance(app, { environment: 'dev' });
      const marking = Symbol.for('spendsense.compliance.target');
      const dev = { environment: 'dev', nagPacks: ['AwsSolutions'], minBackupRetentionDays: 1 };
      for (const c of app.node.findAll()) Object.assign(c, { [marking]: dev });
    },
  },
  {
    name: 'f-kit-prod-judged-as-staging',
    expect: 'fail',
    ruleIds: ['SS-RDS-006'],
    klass: 'F',
    form: 'L2',
    build: (app, kit) => {
      const { stack } = kitProd(kit, app, undefined, { backupRetentionDays: 7 });
      kit.applyCompliance(stack, { environment: 'staging' });
    },
  },
  {
    name: 'f-kit-prod-backup-minimum-lowered',
    expect: 'fail',
    ruleIds: ['SS-RDS-006'],
    klass: 'F',
    form: 'L2',
    build: (app, kit) => {
      const { stack } = kitProd(kit, app, undefined, { backupRetentionDays: 1 });
      kit.applyCompliance(stack, { environment: 'prod', minBackupRetentionDays: 1 });
    },
  },
  {
    name: 'f-compliance-date-revives-expired-ack',
    expect: 'fail',
    ruleIds: ['SS-RDS-006'],
    klass: 'F',
    form: 'context',
    appContext: { complianceDate: '2026-01-01' },
    build: (app, kit) => {
      const t = teamDatabase(kit, teamStack(app), { instance: { backupRetention: SEVEN_DAYS } });
      kit.acknowledge(t.db, {
        ruleId: 'SS-RDS-006',
        reason: SHORT_BACKUP_REASON,
        owner: FIXTURE_OWNER,
        expires: '2026-06-30',
      });
    },
  },
  {
    name: 'f-date-option-revives-expired-ack',
    expect: 'fail',
    ruleIds: ['SS-RDS-006'],
    klass: 'F',
    form: 'L2',
    build: (app, kit) => {
      kit.applyCompliance(app, { date: '2026-01-01' });
      const t = teamDatabase(kit, teamStack(app), { instance: { backupRetention: SEVEN_DAYS } });
      kit.acknowledge(t.db, {
        ruleId: 'SS-RDS-006',
        reason: SHORT_BACKUP_REASON,
        owner: FIXTURE_OWNER,
        expires: '2026-06-30',
      });
    },
  },
  {
    // What a CI job exporting SPENDSENSE_COMPLIANCE_DATE does; set here before the app's gate reads it.
    name: 'f-env-date-revives-expired-ack',
    expect: 'fail',
    ruleIds: ['SS-RDS-006'],
    klass: 'F',
    form: 'context',
    build: (app, kit) => {
      process.env.SPENDSENSE_COMPLIANCE_DATE = '2026-01-01';
      const t = teamDatabase(kit, teamStack(app), { instance: { backupRetention: SEVEN_DAYS } });
      kit.acknowledge(t.db, {
        ruleId: 'SS-RDS-006',
        reason: SHORT_BACKUP_REASON,
        owner: FIXTURE_OWNER,
        expires: '2026-06-30',
      });
    },
  },
  {
    // The app's gate judges every stack as prod; a stack-level mark that says dev lowers that for a team's own stack.
    name: 'f-team-stack-judged-as-dev',
    expect: 'fail',
    ruleIds: ['SS-RDS-002'],
    klass: 'F',
    form: 'L2',
    build: (app, kit) => {
      const stack = teamStack(app);
      teamDatabase(kit, stack, { instance: { multiAz: false } });
      kit.applyCompliance(stack, { environment: 'dev' });
    },
  },
  {
    name: 'f-ack-on-parent-before-child',
    expect: 'fail',
    ruleIds: ['SS-RDS-006'],
    klass: 'F',
    form: 'L2',
    build: (app, kit) => {
      const stack = teamStack(app);
      accept(kit, stack, 'SS-RDS-006', SHORT_BACKUP_REASON);
      teamDatabase(kit, stack, { instance: { backupRetention: SEVEN_DAYS } });
    },
  },
  {
    name: 'f-native-validations-acknowledge',
    expect: 'fail',
    ruleIds: ['SS-ACK-001'],
    klass: 'F',
    form: 'L2',
    build: (app, kit) => {
      const t = teamDatabase(kit, teamStack(app), { instance: { backupRetention: SEVEN_DAYS } });
      Validations.of(t.db).acknowledge({ id: 'SS-RDS-006', reason: SHORT_BACKUP_REASON });
    },
  },
  {
    name: 'f-malformed-ack',
    expect: 'fail',
    ruleIds: ['SS-ACK-001'],
    klass: 'F',
    form: 'L2',
    build: (app, kit) => {
      const t = teamDatabase(kit, teamStack(app), { instance: { backupRetention: SEVEN_DAYS } });
      kit.acknowledge(t.db, { ruleId: 'SS-RDS-006', reason: 'fine', owner: '', expires: 'next year' });
    },
  },
  {
    name: 'f-forbidden-multi-az-ack',
    expect: 'fail',
    ruleIds: ['SS-ACK-002'],
    klass: 'F',
    form: 'L2',
    build: (app, kit) => {
      const t = teamDatabase(kit, teamStack(app), { instance: { multiAz: false } });
      accept(kit, t.db, 'SS-RDS-002', 'Single-AZ to halve the instance bill until the launch in the spring.');
    },
  },
  {
    name: 'f-forbidden-nag-deletion-protection-ack',
    expect: 'fail',
    ruleIds: ['SS-ACK-002'],
    klass: 'F',
    form: 'escape-hatch',
    build: (app, kit) => {
      const { db } = kitProd(kit, app);
      db.deletionProtection = false;
      accept(kit, db, 'AwsSolutions-RDS10', 'Deletion protection gets in the way of the blue/green rebuild script.');
    },
  },

  // G. The kit's own app with -c overrides that break a prod control.
  ...(
    [
      ['g-kit-prod-single-az', 'multiAz=false', 'SS-RDS-002'],
      ['g-kit-prod-no-deletion-protection', 'deletionProtection=false', 'SS-RDS-001'],
      ['g-kit-prod-open-to-the-internet', 'allowedCidrs=0.0.0.0/0', 'SS-EC2-001'],
      ['g-kit-prod-single-public-host', 'allowedCidrs=203.0.113.7/32', 'SS-EC2-001'],
      ['g-kit-prod-removal-destroy', 'removalPolicy=destroy', 'SS-RDS-007'],
      ['g-kit-prod-backup-one-day', 'backupRetentionDays=1', 'SS-RDS-006'],
    ] as const
  ).map(([name, override, ruleId]): KitContextCase => ({
    name,
    expect: 'fail',
    ruleIds: [ruleId],
    klass: 'G',
    form: 'context',
    kitContext: ['environment=prod', override],
  })),
];

const PASS: readonly RedteamCase[] = [
  ...(
    [
      ['dev', ['environment=dev']],
      ['staging', ['environment=staging']],
      ['prod', ['environment=prod']],
      ['all-environments', []],
      ['prod-compliance-date-later', ['environment=prod', `complianceDate=${FIXTURE_EXPIRES}`]],
    ] as const
  ).map(([suffix, kitContext]): KitContextCase => ({
    name: `p-kit-app-${suffix}`,
    expect: 'pass',
    ruleIds: [],
    klass: 'G',
    form: 'context',
    kitContext,
  })),
  {
    name: 'p-kit-prod-ingress-from-vpc-cidr',
    expect: 'pass',
    ruleIds: [],
    klass: 'C',
    form: 'referenced',
    build: (app, kit) => {
      const { stack } = kitProd(kit, app);
      databaseGroupOf(stack).addIngressRule(ec2.Peer.ipv4(stack.vpc.vpcCidrBlock), ec2.Port.tcp(5432), 'the VPC');
    },
  },
  {
    // A setting prod may accept on the database itself, accepted on the handler with its review.
    name: 'p-custom-resource-backup-retention-acknowledged',
    expect: 'pass',
    ruleIds: [],
    klass: 'B',
    form: 'L2',
    build: (app, kit) => {
      const settings = new CustomResource(teamStack(app), 'DatabaseSettings', {
        serviceToken: 'arn:aws:lambda:us-east-1:111111111111:function:modify-db-instance',
        resourceType: 'Custom::ModifyDatabase',
        properties: { DBInstanceIdentifier: 'orders-prod', BackupRetentionPeriod: 21 },
      });
      accept(
        kit,
        settings,
        'SS-CFN-003',
        'The handler only raises the retention of the snapshot copy; reviewed by the DBAs.',
      );
    },
  },
  {
    name: 'p-kit-prod-in-stage',
    expect: 'pass',
    ruleIds: [],
    klass: 'A',
    form: 'enforcement',
    build: (app, kit) => {
      kitProd(kit, new Stage(app, 'Team'), 'Database');
    },
  },
  {
    name: 'p-nested-under-kit-private-ingress',
    expect: 'pass',
    ruleIds: [],
    klass: 'B',
    form: 'nested',
    build: (app, kit) => {
      const { stack } = kitProd(kit, app);
      const nested = new NestedStack(stack, 'Extras');
      const sg = new ec2.SecurityGroup(nested, 'OfficeAccess', {
        vpc: stack.vpc,
        description: 'Office network access to the database port',
        allowAllOutbound: false,
      });
      sg.addIngressRule(ec2.Peer.ipv4('10.0.0.0/16'), ec2.Port.tcp(5432), 'office network');
    },
  },
  {
    name: 'p-lightsail-reviewed-private',
    expect: 'pass',
    ruleIds: [],
    klass: 'E',
    form: 'L1',
    build: (app, kit) => {
      accept(kit, lightsailPostgres(teamStack(app), { publiclyAccessible: false }), 'SS-DB-001', LIGHTSAIL_REVIEW);
    },
  },
  {
    name: 'p-team-prod-instance',
    expect: 'pass',
    ruleIds: [],
    klass: 'E',
    form: 'L2',
    build: (app, kit) => {
      teamDatabase(kit, teamStack(app));
    },
  },
  {
    name: 'p-team-prod-instance-l1-default-postgres16-group',
    expect: 'pass',
    ruleIds: [],
    klass: 'E',
    form: 'L1',
    build: (app, kit) => {
      teamL1Database(kit, teamStack(app), { engineVersion: '16.8', dbParameterGroupName: 'default.postgres16' });
    },
  },
  {
    name: 'p-deletion-protection-parameter-only-true',
    expect: 'pass',
    ruleIds: [],
    klass: 'C',
    form: 'referenced',
    build: (app, kit) => {
      const stack = teamStack(app);
      const protect = new CfnParameter(stack, 'DeletionProtection', {
        type: 'String',
        allowedValues: ['true'],
        default: 'true',
      });
      teamDatabase(kit, stack).cfn.addPropertyOverride('DeletionProtection', protect.valueAsString);
    },
  },
  {
    name: 'p-if-both-branches-true',
    expect: 'pass',
    ruleIds: [],
    klass: 'C',
    form: 'escape-hatch',
    build: (app, kit) => {
      const stack = teamStack(app);
      const { cfn } = teamDatabase(kit, stack);
      const condition = deployTimeCondition(stack).logicalId;
      cfn.addPropertyOverride('DeletionProtection', Fn.conditionIf(condition, true, true));
      cfn.addPropertyOverride('MultiAZ', Fn.conditionIf(condition, true, true));
    },
  },
  {
    // The same through the L1 properties, where cdk-nag reads them too.
    name: 'p-if-both-branches-true-l1',
    expect: 'pass',
    ruleIds: [],
    klass: 'C',
    form: 'L1',
    build: (app, kit) => {
      const stack = teamStack(app);
      const { cfn } = teamDatabase(kit, stack);
      const condition = deployTimeCondition(stack).logicalId;
      cfn.deletionProtection = Fn.conditionIf(condition, true, true);
      cfn.multiAz = Fn.conditionIf(condition, true, true);
    },
  },
  {
    name: 'p-nested-parameter-from-parent-true',
    expect: 'pass',
    ruleIds: [],
    klass: 'C',
    form: 'nested',
    build: (app, kit) => {
      const nested = new NestedStack(teamStack(app), 'Data', { parameters: { Protect: 'true' } });
      const protect = new CfnParameter(nested, 'Protect', { type: 'String' });
      teamDatabase(kit, nested).cfn.addPropertyOverride('DeletionProtection', protect.valueAsString);
    },
  },
  {
    name: 'p-storage-key-in-sibling-stack',
    expect: 'pass',
    ruleIds: [],
    klass: 'D',
    form: 'referenced',
    build: (app, kit) => {
      const keys = new Stack(app, 'Orders-Keys-prod');
      teamDatabase(kit, teamStack(app), { storageKey: teamKey(kit, keys, 'StorageKey') });
    },
  },
  {
    name: 'p-aurora-writer-and-reader',
    expect: 'pass',
    ruleIds: [],
    klass: 'C',
    form: 'L2',
    build: (app, kit) => {
      teamAurora(kit, teamStack(app));
    },
  },
  {
    name: 'p-multi-az-db-cluster',
    expect: 'pass',
    ruleIds: [],
    klass: 'E',
    form: 'L1',
    build: (app, kit) => {
      teamMultiAzCluster(kit, teamStack(app));
    },
  },
  {
    // Stacks of two environments side by side: each is judged by its own bar, nothing crosses.
    name: 'p-kit-dev-beside-kit-prod',
    expect: 'pass',
    ruleIds: [],
    klass: 'E',
    form: 'L2',
    gateEnvironment: 'dev',
    build: (app, kit) => {
      kitProd(kit, app);
      new kit.DatabaseStack(app, 'SpendSense-Database-dev', { profile: kit.getProfile('dev') });
    },
  },
  {
    name: 'p-blue-green-green-forces-tls',
    expect: 'pass',
    ruleIds: [],
    klass: 'E',
    form: 'L1',
    build: (app, kit) => blueGreenOfTeamDatabase(kit, app, '1'),
  },
  {
    name: 'p-team-proxy-requires-tls',
    expect: 'pass',
    ruleIds: [],
    klass: 'E',
    form: 'L2',
    build: (app, kit) => {
      teamProxy(kit, teamDatabase(kit, teamStack(app)), true);
    },
  },
  {
    name: 'p-kit-prod-judged-as-prod',
    expect: 'pass',
    ruleIds: [],
    klass: 'F',
    form: 'L2',
    build: (app, kit) => {
      const { stack } = kitProd(kit, app);
      kit.applyCompliance(stack, { environment: 'prod', nagPacks: ['AwsSolutions', 'NIST80053R5', 'PCIDSS321'] });
    },
  },
  {
    name: 'p-compliance-date-later-than-today',
    expect: 'pass',
    ruleIds: [],
    klass: 'F',
    form: 'context',
    appContext: { complianceDate: FIXTURE_EXPIRES },
    build: (app, kit) => {
      kitProd(kit, app);
    },
  },
  {
    name: 'p-live-ack-on-the-finding',
    expect: 'pass',
    ruleIds: [],
    klass: 'F',
    form: 'L2',
    build: (app, kit) => {
      const t = teamDatabase(kit, teamStack(app), { instance: { backupRetention: SEVEN_DAYS } });
      accept(kit, t.db, 'SS-RDS-006', SHORT_BACKUP_REASON);
    },
  },
  {
    // `subtree: true` is the opt-in that lets an acknowledgement cover constructs added beneath it later.
    name: 'p-ack-on-parent-with-subtree',
    expect: 'pass',
    ruleIds: [],
    klass: 'F',
    form: 'L2',
    build: (app, kit) => {
      const stack = teamStack(app);
      kit.acknowledge(stack, {
        ruleId: 'SS-RDS-006',
        reason: SHORT_BACKUP_REASON,
        owner: FIXTURE_OWNER,
        expires: FIXTURE_EXPIRES,
        subtree: true,
      });
      teamDatabase(kit, stack, { instance: { backupRetention: SEVEN_DAYS } });
    },
  },
];

export const CASES: readonly RedteamCase[] = [...FAIL, ...PASS];

export function caseNamed(name: string): RedteamCase | undefined {
  return CASES.find((c) => c.name === name);
}
