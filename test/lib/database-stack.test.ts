import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { OUTPUT_KEYS } from '../../lib/database-stack';
import { ENVIRONMENT_NAMES, EnvironmentName, profiles } from '../../lib/profiles';
import { kitStack, kitTemplate } from '../support/synth';

const templates = new Map<EnvironmentName, Template>();
const template = (env: EnvironmentName): Template => {
  if (!templates.has(env)) templates.set(env, kitTemplate(env));
  return templates.get(env)!;
};

/** The logical id of the only resource of `type`. */
function only(t: Template, type: string): string {
  const found = Object.keys(t.findResources(type));
  expect(found).toHaveLength(1);
  return found[0];
}

describe.each(ENVIRONMENT_NAMES)('DatabaseStack (%s)', (env) => {
  const profile = profiles[env];

  test('is named SpendSense-Database-<env>', () => {
    expect(kitStack(env).stackName).toBe(`SpendSense-Database-${env}`);
  });

  test('creates a customer-managed KMS key with rotation and an environment alias', () => {
    const t = template(env);
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: `alias/spendsense/${env}/database` });
  });

  test('creates a VPC with isolated subnets in two AZs and no NAT', () => {
    const t = template(env);
    t.resourceCountIs('AWS::EC2::VPC', 1);
    t.resourceCountIs('AWS::EC2::Subnet', 2);
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
    t.resourceCountIs('AWS::EC2::InternetGateway', 0);
    t.hasResourceProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
  });

  test('runs PostgreSQL 16 or newer with database spendsense', () => {
    const t = template(env);
    t.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      EngineVersion: profile.engineVersion,
      DBName: 'spendsense',
      DBInstanceClass: profile.instanceClass,
    });
    expect(Number(profile.engineVersion.split('.')[0])).toBeGreaterThanOrEqual(16);
  });

  test('takes Multi-AZ, deletion protection, storage and backups from the profile', () => {
    template(env).hasResourceProperties('AWS::RDS::DBInstance', {
      MultiAZ: profile.multiAz,
      DeletionProtection: profile.deletionProtection,
      AllocatedStorage: String(profile.allocatedStorage),
      MaxAllocatedStorage: profile.maxAllocatedStorage,
      StorageType: profile.storageType,
      BackupRetentionPeriod: profile.backupRetentionDays,
      Port: String(profile.port),
    });
  });

  test('encrypts storage and Performance Insights with the stack key', () => {
    const t = template(env);
    const key = only(t, 'AWS::KMS::Key');
    t.hasResourceProperties('AWS::RDS::DBInstance', {
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
    });
  });

  test('is private, uses IAM auth, exports logs, upgrades minor versions and copies tags to snapshots', () => {
    template(env).hasResourceProperties('AWS::RDS::DBInstance', {
      PubliclyAccessible: false,
      EnableIAMDatabaseAuthentication: true,
      EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
      AutoMinorVersionUpgrade: true,
      CopyTagsToSnapshot: true,
      MonitoringInterval: 60,
    });
  });

  test('forces TLS and logs connections in the parameter group', () => {
    template(env).hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: Match.stringLikeRegexp('^postgres1[6-9]'),
      Parameters: { 'rds.force_ssl': '1', log_connections: '1', log_disconnections: '1' },
    });
  });

  test('keeps data on delete as the profile says', () => {
    const policy = { snapshot: 'Snapshot', retain: 'Retain', destroy: 'Delete' }[profile.removalPolicy];
    template(env).hasResource('AWS::RDS::DBInstance', { DeletionPolicy: policy, UpdateReplacePolicy: policy });
  });

  test('encrypts the export log groups with the stack key before the instance exists', () => {
    const t = template(env);
    const key = only(t, 'AWS::KMS::Key');
    for (const type of ['postgresql', 'upgrade']) {
      t.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws/rds/instance/spendsense-${env}/${type}`,
        KmsKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
      });
    }
    const db = t.findResources('AWS::RDS::DBInstance');
    const dependsOn = Object.values(db)[0].DependsOn as string[];
    const logGroups = Object.keys(
      t.findResources('AWS::Logs::LogGroup', { Properties: { LogGroupName: Match.stringLikeRegexp('^/aws/rds/') } }),
    );
    expect(dependsOn).toEqual(expect.arrayContaining(logGroups));
  });

  test('generates credentials for spendsense_admin in a KMS-encrypted secret', () => {
    const t = template(env);
    const key = only(t, 'AWS::KMS::Key');
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: `spendsense/${env}/database/credentials`,
      KmsKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: '{"username":"spendsense_admin"}',
        GenerateStringKey: 'password',
      }),
    });
  });

  test('rotates the credentials with hosted single-user rotation on the profile schedule', () => {
    const t = template(env);
    t.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      HostedRotationLambda: Match.objectLike({ RotationType: 'PostgreSQLSingleUser' }),
      RotationRules: { ScheduleExpression: `rate(${profile.rotationDays} days)` },
    });
    expect(t.toJSON().Transform).toBe('AWS::SecretsManager-2024-09-16');
  });

  test('holds placeholder JSON in the KMS-encrypted connection secret', () => {
    const t = template(env);
    const key = only(t, 'AWS::KMS::Key');
    const secrets = t.findResources('AWS::SecretsManager::Secret', {
      Properties: { Name: `spendsense/${env}/database/connection` },
    });
    const props = Object.values(secrets)[0].Properties;
    expect(props.KmsKeyId).toEqual({ 'Fn::GetAtt': [key, 'Arn'] });
    expect(Object.keys(JSON.parse(props.SecretString)).sort()).toEqual(
      ['connection_string', 'database', 'host', 'password', 'port', 'username'].sort(),
    );
  });

  test('admits the database port only from the Lambda group, the proxy and allowed CIDRs', () => {
    const t = template(env);
    const ingress = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
    const dbSg = Object.keys(
      t.findResources('AWS::EC2::SecurityGroup', {
        Properties: { GroupDescription: Match.stringLikeRegexp('PostgreSQL, from') },
      }),
    )[0];
    const intoDb = ingress.filter((p) => JSON.stringify(p.GroupId).includes(dbSg));
    const expected = profile.rdsProxy ? 2 : 1;
    expect(intoDb).toHaveLength(expected);
    for (const rule of intoDb) {
      expect(rule.IpProtocol).toBe('tcp');
      expect(rule.CidrIp).toBeUndefined();
      expect(rule.SourceSecurityGroupId).toBeDefined();
    }
    const dbGroup = t.findResources('AWS::EC2::SecurityGroup')[dbSg].Properties;
    expect(dbGroup.SecurityGroupIngress).toBeUndefined();
  });

  test(`${profiles[env].rdsProxy ? 'adds' : 'has no'} RDS Proxy`, () => {
    const t = template(env);
    if (profile.rdsProxy) {
      t.hasResourceProperties('AWS::RDS::DBProxy', {
        RequireTLS: true,
        EngineFamily: 'POSTGRESQL',
        Auth: [Match.objectLike({ IAMAuth: 'REQUIRED' })],
      });
      t.hasOutput('ProxyEndpoint', {});
    } else {
      t.resourceCountIs('AWS::RDS::DBProxy', 0);
      expect(t.findOutputs('ProxyEndpoint')).toEqual({});
    }
  });

  test('outputs what the seed promised and the database security group', () => {
    const t = template(env);
    for (const name of [
      'DatabaseEndpoint',
      'DatabasePort',
      'DatabaseName',
      'CredentialsSecretArn',
      'ConnectionSecretArn',
      'LambdaSecurityGroupId',
      'DatabaseSecurityGroupId',
    ]) {
      t.hasOutput(name, {});
    }
    t.hasOutput('DatabaseName', { Value: 'spendsense' });
  });

  test('outputs exactly the keys the operations scripts read', () => {
    const expected = OUTPUT_KEYS.filter((k) => k !== 'ProxyEndpoint' || profile.rdsProxy);
    expect(Object.keys(template(env).findOutputs('*')).sort()).toEqual([...expected].sort());
  });

  test('tags every resource that carries tags with Project and Environment', () => {
    const t = template(env);
    const tagged = Object.values(t.toJSON().Resources as Record<string, { Properties?: { Tags?: unknown } }>).filter(
      (r) => r.Properties?.Tags !== undefined,
    );
    expect(tagged.length).toBeGreaterThan(10);
    for (const r of tagged) {
      expect(r.Properties!.Tags).toEqual(
        expect.arrayContaining([
          { Key: 'Project', Value: 'SpendSense' },
          { Key: 'Environment', Value: env },
        ]),
      );
    }
  });

  test('tags the main resource types with Project and Environment', () => {
    const t = template(env);
    const taggable = [
      'AWS::KMS::Key',
      'AWS::EC2::VPC',
      'AWS::RDS::DBInstance',
      'AWS::SecretsManager::Secret',
      'AWS::EC2::SecurityGroup',
    ];
    for (const type of taggable) {
      for (const resource of Object.values(t.findResources(type))) {
        expect(resource.Properties.Tags).toEqual(
          expect.arrayContaining([
            { Key: 'Project', Value: 'SpendSense' },
            { Key: 'Environment', Value: env },
          ]),
        );
      }
    }
  });

  test('synthesizes environment-agnostic, with no account or region lookups', () => {
    const stack = kitStack(env);
    expect(stack.account).toMatch(/^\$\{Token/);
    expect(stack.region).toMatch(/^\$\{Token/);
  });
});

describe('profile-driven variations', () => {
  test('admits an allowed CIDR on the database port', () => {
    const t = kitTemplate('dev', { allowedCidrs: ['203.0.113.7/32', '2001:db8::1/128'] });
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: Match.arrayWith([
        Match.objectLike({ CidrIp: '203.0.113.7/32', FromPort: 5432, ToPort: 5432, IpProtocol: 'tcp' }),
        Match.objectLike({ CidrIpv6: '2001:db8::1/128', FromPort: 5432, ToPort: 5432, IpProtocol: 'tcp' }),
      ]),
    });
  });

  test('provisions io1 IOPS', () => {
    kitTemplate('prod', { storageType: 'io1', iops: 3000, allocatedStorage: 100 }).hasResourceProperties(
      'AWS::RDS::DBInstance',
      {
        StorageType: 'io1',
        Iops: 3000,
      },
    );
  });

  test('leaves Performance Insights off on a micro burstable class and on elsewhere', () => {
    kitTemplate('dev', { instanceClass: 'db.t4g.micro' }).hasResourceProperties('AWS::RDS::DBInstance', {
      EnablePerformanceInsights: false,
    });
    kitTemplate('dev', { instanceClass: 'db.m7g.large' }).hasResourceProperties('AWS::RDS::DBInstance', {
      EnablePerformanceInsights: true,
      PerformanceInsightsKMSKeyId: Match.anyValue(),
    });
  });

  test('uses a custom port everywhere', () => {
    const t = kitTemplate('staging', { port: 6543 });
    t.hasResourceProperties('AWS::RDS::DBInstance', { Port: '6543' });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 6543, ToPort: 6543 });
  });

  test('pins a full engine version when asked', () => {
    kitTemplate('dev', { engineVersion: '16.4' }).hasResourceProperties('AWS::RDS::DBInstance', {
      EngineVersion: '16.4',
    });
  });

  test('turns on stack termination protection with deletion protection', () => {
    expect(kitStack('prod').terminationProtection).toBe(true);
    expect(kitStack('dev').terminationProtection).toBe(false);
  });

  test('keeps the KMS key when the database keeps a snapshot', () => {
    kitTemplate('prod').hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    kitTemplate('dev', { removalPolicy: 'destroy' }).hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  test('looks up an existing VPC when given an id and an account', () => {
    const app = new App({
      context: {
        'vpc-provider:account=123456789012:filter.vpc-id=vpc-0123456789abcdef0:region=us-east-1:returnAsymmetricSubnets=true':
          {
            vpcId: 'vpc-0123456789abcdef0',
            vpcCidrBlock: '10.1.0.0/16',
            ownerAccountId: '123456789012',
            availabilityZones: [],
            subnetGroups: [
              {
                name: 'Private',
                type: 'Private',
                subnets: [
                  {
                    subnetId: 'subnet-aaaaaaaa',
                    cidr: '10.1.1.0/24',
                    availabilityZone: 'us-east-1a',
                    routeTableId: 'rtb-aaaaaaaa',
                  },
                  {
                    subnetId: 'subnet-bbbbbbbb',
                    cidr: '10.1.2.0/24',
                    availabilityZone: 'us-east-1b',
                    routeTableId: 'rtb-bbbbbbbb',
                  },
                ],
              },
            ],
          },
      },
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { DatabaseStack } = require('../../lib/database-stack');
    const stack = new DatabaseStack(app, 'Lookup', {
      profile: { ...profiles.dev, account: '123456789012', vpcId: 'vpc-0123456789abcdef0' },
    });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::EC2::VPC', 0);
    t.hasResourceProperties('AWS::RDS::DBSubnetGroup', { SubnetIds: ['subnet-aaaaaaaa', 'subnet-bbbbbbbb'] });
  });
});

describe('target region', () => {
  test('pins the region given with -c region, with no account needed', () => {
    const stack = kitStack('dev', { region: 'eu-west-1', pinRegion: true });
    expect(stack.region).toBe('eu-west-1');
    expect(stack.account).toMatch(/^\$\{Token/);
  });
  test('uses account and region together when both are given', () => {
    const stack = kitStack('dev', { region: 'us-west-2', account: '123456789012' });
    expect([stack.account, stack.region]).toEqual(['123456789012', 'us-west-2']);
  });
});
