import { classifyKey } from '../../aspects/kms';
import { Resolver } from '../../aspects/resolve';

const resolver = new Resolver('S', {
  Parameters: { KeyArn: { Type: 'String' } },
  Resources: {
    Key: { Type: 'AWS::KMS::Key' },
    Alias: { Type: 'AWS::KMS::Alias', Properties: { AliasName: 'alias/team', TargetKeyId: { Ref: 'Key' } } },
    Topic: { Type: 'AWS::SNS::Topic' },
    SharedAlias: {
      Type: 'AWS::KMS::Alias',
      Properties: {
        AliasName: 'alias/team-shared',
        TargetKeyId: 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      },
    },
    ParameterAlias: { Type: 'AWS::KMS::Alias', Properties: { AliasName: 'alias/p', TargetKeyId: { Ref: 'KeyArn' } } },
  },
});
const kind = (value: unknown) => classifyKey('KmsKeyId', value, resolver, 'aws/rds').kind;

describe('classifyKey', () => {
  test.each([
    ['left out', undefined],
    ['an alias', 'alias/aws/rds'],
    ['an alias ARN', 'arn:aws:kms:us-east-1:111111111111:alias/aws/rds'],
    [
      'an ARN joined from pseudo parameters',
      {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':kms:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':alias/aws/rds',
          ],
        ],
      },
    ],
    [
      'an ARN built with Fn::Sub',
      { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/aws/secretsmanager' },
    ],
  ])('knows the AWS-managed key %s', (_, value) => {
    expect(kind(value)).toBe('aws-managed');
  });

  test.each([
    ['Ref', { Ref: 'Key' }],
    ['Fn::GetAtt Arn', { 'Fn::GetAtt': ['Key', 'Arn'] }],
    ['an alias the template creates', { Ref: 'Alias' }],
    ["that alias's name", 'alias/team'],
    [
      "that alias's ARN in the stack's account and Region",
      { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/team' },
    ],
    [
      "that alias's ARN by its Ref",
      { 'Fn::Sub': 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:${Alias}' },
    ],
  ])('knows a key of the app by %s', (_, value) => {
    expect(kind(value)).toBe('customer-managed');
  });

  test.each([
    ['a literal key ARN', 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['an alias outside the app', 'alias/shared'],
    ['an alias ARN with a written account', 'arn:aws:kms:us-east-1:111111111111:alias/team'],
    ['a parameter', { Ref: 'KeyArn' }],
    ['a resource that is no key', { Ref: 'Topic' }],
    ['an alias of the app over a key ARN outside it', { Ref: 'SharedAlias' }],
    ['an alias of the app over a key given as a parameter', { Ref: 'ParameterAlias' }],
  ])('cannot classify %s', (_, value) => {
    expect(kind(value)).toBe('unknown');
  });
});

test("an alias's evidence names the key it targets, or why that key is not the app's", () => {
  expect(classifyKey('KmsKeyId', { Ref: 'Alias' }, resolver, 'aws/rds').evidence).toBe(
    'KmsKeyId=Alias (AWS::KMS::Alias), an alias of Key',
  );
  expect(classifyKey('KmsKeyId', { Ref: 'SharedAlias' }, resolver, 'aws/rds').evidence).toBe(
    'KmsKeyId=SharedAlias (AWS::KMS::Alias), which targets arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab: a key outside this app, whose rotation and policy synthesis cannot see',
  );
});
