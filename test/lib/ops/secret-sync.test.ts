import { opsFailure } from '../../support/failure';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parse } from 'pg-connection-string';
import {
  CONNECTION_SECRET_PLACEHOLDER,
  connectionSecretName,
  credentialsSecretName,
} from '../../../lib/database-stack';
import { clientRequestToken, connectionString } from '../../../lib/ops/connection-secret';
import { EXIT } from '../../../lib/ops/errors';
import { Redactor } from '../../../lib/ops/redact';
import { SecretSyncOptions, syncConnectionSecret } from '../../../lib/ops/secret-sync';
import { FakeCloudFormation } from '../../support/fakes/cloudformation';
import { useDummyAws } from '../../support/fakes/http';
import { stackOutputs, writeOutputsFile } from '../../support/fakes/outputs';
import { FakeSecretsManager } from '../../support/fakes/secrets-manager';

const PASSWORD = 'Zx9@:/?#[]%25&=+ ;é€日本😀"\'\\';
const STACK = 'SpendSense-Database-dev';

let fake: FakeSecretsManager;
let cfn: FakeCloudFormation;
let dir: string;
let credentialsArn: string;
let connectionArn: string;
let outputsFile: string;

beforeAll(async () => {
  useDummyAws(2);
  fake = new FakeSecretsManager();
  cfn = new FakeCloudFormation();
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = await fake.start();
  process.env.AWS_ENDPOINT_URL_CLOUDFORMATION = await cfn.start();
  dir = mkdtempSync(join(tmpdir(), 'spendsense-sync-'));
});
afterAll(async () => {
  await fake.stop();
  await cfn.stop();
  rmSync(dir, { recursive: true, force: true });
});

function seed(credentials: unknown = { username: 'spendsense_admin', password: PASSWORD, engine: 'postgres' }): void {
  credentialsArn = fake.create(
    credentialsSecretName('dev'),
    typeof credentials === 'string' ? credentials : JSON.stringify(credentials),
  );
  connectionArn = fake.create(connectionSecretName('dev'), JSON.stringify(CONNECTION_SECRET_PLACEHOLDER));
  outputsFile = writeOutputsFile(dir, { [STACK]: stackOutputs(credentialsArn, connectionArn) });
  fake.calls.length = 0;
  fake.clearFaults();
  fake.afterPut = undefined;
}

function options(overrides: Partial<SecretSyncOptions> = {}): SecretSyncOptions {
  return {
    env: 'dev',
    outputs: { kind: 'file', path: outputsFile },
    secretsManager: new SecretsManagerClient({}),
    dryRun: false,
    redactor: new Redactor(),
    ...overrides,
  };
}

const failure = opsFailure;

beforeEach(() => seed());

describe('syncConnectionSecret', () => {
  test('first run writes the seed format with a content-derived token, and the value reads back', async () => {
    const result = await syncConnectionSecret(options());
    expect(result.status).toBe('written');
    const stored = JSON.parse(fake.current(connectionArn)!);
    expect(Object.keys(stored)).toEqual(['host', 'port', 'database', 'username', 'password', 'connection_string']);
    expect(stored).toMatchObject({
      host: 'spendsense-dev.abcdefghijkl.us-east-1.rds.amazonaws.com',
      port: '5432',
      database: 'spendsense',
      username: 'spendsense_admin',
      password: PASSWORD,
    });
    const put = fake.calls.filter((c) => c.operation === 'PutSecretValue');
    expect(put).toHaveLength(1);
    expect(put[0].input.ClientRequestToken).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(result.versionId).toBe(put[0].input.ClientRequestToken);
    // read back after the write
    expect(fake.calls.map((c) => c.operation)).toEqual([
      'GetSecretValue',
      'GetSecretValue',
      'PutSecretValue',
      'GetSecretValue',
    ]);
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
    expect(JSON.stringify(result)).not.toContain(encodeURIComponent(PASSWORD));
  });

  test('second run writes nothing and says so', async () => {
    await syncConnectionSecret(options());
    fake.calls.length = 0;
    const result = await syncConnectionSecret(options());
    expect(result).toMatchObject({ status: 'unchanged', changes: [] });
    expect(fake.count('PutSecretValue')).toBe(0);
    expect(fake.versions(connectionArn)).toHaveLength(2);
  });

  test('the same write retried with its token makes no second version', async () => {
    await syncConnectionSecret(options());
    const [put] = fake.calls.filter((c) => c.operation === 'PutSecretValue');
    const client = new SecretsManagerClient({});
    await client.send(new PutSecretValueCommand(put.input as never));
    expect(fake.versions(connectionArn)).toHaveLength(2);
  });

  test('after a password rotation it writes again, and masks old and new passwords', async () => {
    await syncConnectionSecret(options());
    const rotated = 'rotated-Pa55word-value';
    fake.put(credentialsArn, JSON.stringify({ username: 'spendsense_admin', password: rotated }));
    const redactor = new Redactor();
    const result = await syncConnectionSecret(options({ redactor }));
    expect(result.status).toBe('written');
    expect(result.changes.map((c) => c.field)).toEqual(['password', 'connection_string']);
    expect(JSON.stringify(result)).not.toMatch(/rotated-Pa55word|Zx9/);
    expect(redactor.redact(`a ${rotated} b ${PASSWORD}`)).toBe('a **** b ****');
  });

  test('--dry-run names every change, values only of non-secret fields, and writes nothing', async () => {
    const result = await syncConnectionSecret(options({ dryRun: true }));
    expect(result.status).toBe('dry-run');
    expect(fake.count('PutSecretValue')).toBe(0);
    expect(fake.current(connectionArn)).toBe(JSON.stringify(CONNECTION_SECRET_PLACEHOLDER));
    expect(result.changes).toEqual([
      {
        field: 'host',
        change: 'changed',
        before: 'PENDING_SYNC',
        after: 'spendsense-dev.abcdefghijkl.us-east-1.rds.amazonaws.com',
      },
      { field: 'port', change: 'changed', before: 'PENDING_SYNC', after: '5432' },
      { field: 'password', change: 'changed' },
      { field: 'connection_string', change: 'changed' },
    ]);
  });

  // Every shape a stored connection secret has been seen to hold a secret in; none of its values may reach a diff.
  const HOSTILE: Record<string, unknown> = {
    replica_password: 'Replica-Secret-1',
    jdbc_url: 'jdbc:postgresql://db:5432/app?user=app&password=Jdbc-Secret-2&ssl=true',
    connection_string: 'host=db port=5432 user=app password=Keyword-Secret-3 dbname=app',
    quoted: "host=db password='Quoted Secret 4' dbname=app",
    nested: { primary: { password: 'Nested-Secret-5' }, list: ['List-Secret-6'] },
    host: 'postgresql://app:Url-Secret-7@db:5432/app',
    username: 'app;password=Jdbc-Secret-8',
  };

  test.each(Object.keys(HOSTILE))('a stored %s field shows no secret value in the diff', async (field) => {
    fake.put(connectionArn, JSON.stringify({ ...CONNECTION_SECRET_PLACEHOLDER, [field]: HOSTILE[field] }));
    const result = await syncConnectionSecret(options({ dryRun: true }));
    const change = result.changes.find((c) => c.field === field);
    expect(change).toBeDefined();
    expect(JSON.stringify(result)).not.toMatch(/Secret-\d|Secret \d/);
  });

  test('reads the outputs live from CloudFormation without an outputs file', async () => {
    cfn.setStack(STACK, stackOutputs(credentialsArn, connectionArn, { DatabasePort: '6543' }));
    const result = await syncConnectionSecret(
      options({ outputs: { kind: 'cloudformation', client: new CloudFormationClient({}) } }),
    );
    expect(result.outputsOrigin).toBe(`CloudFormation stack ${STACK}`);
    expect(JSON.parse(fake.current(connectionArn)!).port).toBe('6543');
  });

  test('a stack missing in CloudFormation gives the not-found code', async () => {
    const err = await failure(
      syncConnectionSecret(
        options({ env: 'staging', outputs: { kind: 'cloudformation', client: new CloudFormationClient({}) } }),
      ),
    );
    expect(err.exitCode).toBe(EXIT.awsNotFound);
    expect(err.message).toMatch(/^CloudFormation DescribeStacks on SpendSense-Database-staging: not found/);
  });

  test('a concurrent writer between write and read-back gives the read-back code', async () => {
    fake.afterPut = (secret) => fake.put(secret.arn, '{"host":"elsewhere"}');
    const err = await failure(syncConnectionSecret(options()));
    expect(err.exitCode).toBe(EXIT.readBackMismatch);
  });
});

describe('passwords of any kind round-trip through the connection string', () => {
  test.each([
    ['URL-special', `@:/?#[]%&=+$,;!*'() `],
    ['percent sequences', '%41%2F%%25%zz'],
    ['non-ASCII', 'é€日本語😀ß\u00a0Ω'],
    ['quotes and backslashes', `"'\\\`{}|^<>`],
    ['everything', PASSWORD],
  ])('%s', async (_name, password) => {
    seed({ username: 'user@corp:x', password });
    await syncConnectionSecret(options());
    const stored = JSON.parse(fake.current(connectionArn)!);
    const parsed = parse(stored.connection_string);
    expect(parsed.user).toBe('user@corp:x');
    expect(parsed.password).toBe(password);
    expect(parsed.host).toBe(stored.host);
    expect(parsed.port).toBe('5432');
    expect(parsed.database).toBe('spendsense');
  });
});

describe('bad credentials secrets: one line naming the secret and the field, nothing written', () => {
  test.each([
    ['not JSON', `${PASSWORD} not json`, /value is not JSON \(content not shown\)/],
    ['a JSON array', JSON.stringify([PASSWORD]), /value is JSON but not an object/],
    ['no password', JSON.stringify({ username: 'u' }), /field 'password' is missing/],
    ['an empty username', JSON.stringify({ username: '', password: PASSWORD }), /field 'username' is empty/],
    ['a numeric password', JSON.stringify({ username: 'u', password: 12345 }), /field 'password' is a number/],
  ])('%s', async (_name, value, message) => {
    seed(value);
    const err = await failure(syncConnectionSecret(options()));
    expect(err.exitCode).toBe(EXIT.invalidInput);
    expect(err.message).toMatch(message);
    expect(err.message).toContain(credentialsArn);
    expect(err.message).not.toContain(PASSWORD);
    expect(err.message).not.toContain('\n');
    expect(fake.count('PutSecretValue')).toBe(0);
  });

  test('a missing credentials secret gives the not-found code and names it', async () => {
    outputsFile = writeOutputsFile(dir, {
      [STACK]: stackOutputs(`${credentialsArn}-gone`, connectionArn),
    });
    const err = await failure(syncConnectionSecret(options()));
    expect(err.exitCode).toBe(EXIT.awsNotFound);
    expect(err.message).toContain(`GetSecretValue on ${credentialsArn}-gone: not found`);
    expect(fake.count('PutSecretValue')).toBe(0);
  });
});

describe('a DatabaseEndpoint that is not a host', () => {
  test.each([
    'db.example.com/other',
    'db.example.com?sslmode=disable',
    'db.example.com#x',
    'user@db.example.com',
    'db example.com',
    '-db.example.com',
    '/var/run/postgresql',
  ])('%j is refused with the invalid-input code before anything is read or written', async (endpoint) => {
    outputsFile = writeOutputsFile(dir, {
      [STACK]: stackOutputs(credentialsArn, connectionArn, { DatabaseEndpoint: endpoint }),
    });
    const err = await failure(syncConnectionSecret(options()));
    expect(err.exitCode).toBe(EXIT.invalidInput);
    expect(err.message).toMatch(/output DatabaseEndpoint: got .*, expected a host name or an IP address/);
    expect(fake.count('GetSecretValue')).toBe(0);
    expect(fake.count('PutSecretValue')).toBe(0);
  });

  test.each(['10.0.0.5', '::1', 'db-1.abc.us-east-1.rds.amazonaws.com', 'localhost'])(
    '%s is a host',
    async (endpoint) => {
      outputsFile = writeOutputsFile(dir, {
        [STACK]: stackOutputs(credentialsArn, connectionArn, { DatabaseEndpoint: endpoint }),
      });
      const result = await syncConnectionSecret(options({ dryRun: true }));
      expect(result.status).toBe('dry-run');
    },
  );
});

describe('AWS errors', () => {
  test('AccessDenied on reading gives the access-denied code and the IAM action to grant', async () => {
    fake.fail('GetSecretValue', 'AccessDenied');
    const err = await failure(syncConnectionSecret(options()));
    expect(err.exitCode).toBe(EXIT.awsAccessDenied);
    expect(err.message).toMatch(/access denied .*grant secretsmanager:GetSecretValue to this identity$/);
  });

  test('AccessDenied on writing gives the access-denied code', async () => {
    fake.fail('PutSecretValue', 'AccessDenied');
    const err = await failure(syncConnectionSecret(options()));
    expect(err.exitCode).toBe(EXIT.awsAccessDenied);
    expect(err.message).toContain('grant secretsmanager:PutSecretValue');
  });

  test('throttling after the SDK retries gives the throttled code', async () => {
    fake.fail('PutSecretValue', 'Throttling');
    const err = await failure(syncConnectionSecret(options()));
    expect(err.exitCode).toBe(EXIT.awsThrottled);
    expect(err.message).toMatch(/throttled by AWS after 2 attempts \(ThrottlingException\)/);
    expect(fake.count('PutSecretValue')).toBe(2); // AWS_MAX_ATTEMPTS
  });
});

describe('outputs', () => {
  test('an outputs file without the stack names what it has', async () => {
    outputsFile = writeOutputsFile(dir, { 'SpendSense-Database-prod': {} });
    const err = await failure(syncConnectionSecret(options()));
    expect(err.exitCode).toBe(EXIT.invalidInput);
    expect(err.message).toMatch(/no stack SpendSense-Database-dev \(found: SpendSense-Database-prod\)/);
  });

  test('missing outputs are listed together', async () => {
    outputsFile = writeOutputsFile(dir, { [STACK]: { DatabaseEndpoint: 'h' } });
    const err = await failure(syncConnectionSecret(options()));
    expect(err.message).toMatch(
      /missing outputs DatabasePort, DatabaseName, CredentialsSecretArn, ConnectionSecretArn/,
    );
  });

  test('a bad DatabasePort is refused', async () => {
    outputsFile = writeOutputsFile(dir, {
      [STACK]: stackOutputs(credentialsArn, connectionArn, { DatabasePort: 'x' }),
    });
    const err = await failure(syncConnectionSecret(options()));
    expect(err.message).toMatch(/output DatabasePort: got 'x', expected a TCP port/);
  });
});

describe('clientRequestToken', () => {
  test('is 36 characters, the same for the same content and base, new for a change back', () => {
    const a = clientRequestToken('A', 'v1');
    expect(a).toHaveLength(36);
    expect(clientRequestToken('A', 'v1')).toBe(a);
    expect(clientRequestToken('A', 'v3')).not.toBe(a);
    expect(clientRequestToken('B', 'v1')).not.toBe(a);
  });

  test('connection strings bracket IPv6 hosts', () => {
    expect(connectionString({ host: '::1', port: 5432, database: 'd' }, { username: 'u', password: 'p' })).toBe(
      'postgresql://u:p@[::1]:5432/d',
    );
  });
});
