import { AddressInfo, Server, Socket, createServer } from 'node:net';
import { CONNECTION_SECRET_PLACEHOLDER, connectionSecretName } from '../../lib/database-stack';
import { EXIT } from '../../lib/ops/errors';
import { DUMMY_AWS_ENV, startSilentServer } from '../support/fakes/http';
import { FakeSecretsManager } from '../support/fakes/secrets-manager';
import { TestPostgres, freePort, startTestPostgres } from '../support/postgres';
import { ScriptRun, expectCleanStderr, expectNoLeak, runScript } from './run';

const WRONG_PASSWORD = 'Wr0ng:p@ss/wörd';

let pg: TestPostgres;
let sm: FakeSecretsManager;
let env: Record<string, string>;
let silent: Server;
const accepted: Socket[] = [];

beforeAll(async () => {
  pg = await startTestPostgres();
  sm = new FakeSecretsManager();
  env = { ...DUMMY_AWS_ENV, AWS_ENDPOINT_URL_SECRETS_MANAGER: await sm.start() };
  silent = createServer((s) => accepted.push(s.resume()));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  accepted.forEach((s) => s.destroy());
  await new Promise<void>((resolve) => silent.close(() => resolve()));
  await sm?.stop();
  await pg?.stop();
});

const dbTest = (...args: string[]) => runScript('db-test', args, env);

function expectSafe(run: ScriptRun): void {
  expectNoLeak(run, [pg.password, WRONG_PASSWORD]);
  expectCleanStderr(run);
}

function expectOneLineFailure(run: ScriptRun, code: number, message: RegExp): void {
  expect(run.status).toBe(code);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(new RegExp(`^db:test: .*${message.source}`));
  expectSafe(run);
}

test('verify-full with the CA file: exit 0 and a report with TLS', async () => {
  const run = await dbTest('--connection-string', pg.connectionString(), '--ca-file', pg.caFile);
  expect(run.status).toBe(EXIT.ok);
  const lines = run.stdout.trim().split('\n');
  expect(lines[0]).toBe(`connected to 127.0.0.1:${pg.port}/spendsense as spendsense_admin (sslmode verify-full)`);
  expect(lines[1]).toMatch(/^server: +PostgreSQL \d+/);
  expect(lines[2]).toMatch(/^tls: +TLSv1\.[23] \S+/);
  expect(lines[3]).toMatch(/^latency: connect [\d.]+ ms, select version\(\) [\d.]+ ms$/);
  expectSafe(run);
});

test('sslmode=require in the connection string: TLS without checks, as the report says, and no library warning', async () => {
  const run = await dbTest('--connection-string', `${pg.connectionString()}?sslmode=require`);
  expect(run.status).toBe(EXIT.ok);
  expect(run.stdout).toMatch(/^tls: +TLSv1\.[23] \S+ \(sslmode require: encrypted, server certificate not checked\)$/m);
  expect(run.stderr).toBe('');
});

test('--json prints one object with the report', async () => {
  const run = await dbTest('--connection-string', pg.connectionString(), '--ca-file', pg.caFile, '--json');
  expect(run.status).toBe(EXIT.ok);
  const report = JSON.parse(run.stdout);
  expect(Object.keys(report).sort()).toEqual(
    ['connectMs', 'database', 'host', 'ok', 'port', 'queryMs', 'serverVersion', 'sslmode', 'tls', 'user'].sort(),
  );
  expect(report).toEqual({
    ok: true,
    host: '127.0.0.1',
    port: pg.port,
    database: 'spendsense',
    user: 'spendsense_admin',
    sslmode: 'verify-full',
    serverVersion: expect.stringMatching(/^PostgreSQL \d+/),
    tls: { version: expect.stringMatching(/^TLSv1\.[23]$/), cipher: expect.any(String) },
    connectMs: expect.any(Number),
    queryMs: expect.any(Number),
  });
  expectSafe(run);
});

test('--json prints a failure object too', async () => {
  const run = await dbTest(
    '--connection-string',
    pg.connectionString({ password: WRONG_PASSWORD }),
    '--ca-file',
    pg.caFile,
    '--json',
  );
  expect(run.status).toBe(EXIT.auth);
  expect(JSON.parse(run.stdout)).toEqual({
    ok: false,
    error: { exitCode: EXIT.auth, message: expect.stringMatching(/authentication failed/) },
  });
  expectSafe(run);
});

test('a wrong password gives the authentication code', async () => {
  const run = await dbTest(
    '--connection-string',
    pg.connectionString({ password: WRONG_PASSWORD }),
    '--ca-file',
    pg.caFile,
  );
  expectOneLineFailure(run, EXIT.auth, /authentication failed \(28P01/);
});

test('a CA that did not sign the server certificate gives the TLS code', async () => {
  const run = await dbTest('--connection-string', pg.connectionString(), '--ca-file', pg.otherCaFile);
  expectOneLineFailure(run, EXIT.tls, /TLS failed with sslmode verify-full/);
});

test('a closed port gives the unreachable code', async () => {
  const run = await dbTest(
    '--connection-string',
    pg.connectionString({ port: await freePort() }),
    '--sslmode',
    'require',
  );
  expectOneLineFailure(run, EXIT.unreachable, /unreachable \(ECONNREFUSED/);
});

test('a listener that never answers gives the timeout code', async () => {
  const { port } = silent.address() as AddressInfo;
  const run = await dbTest(
    '--connection-string',
    pg.connectionString({ port }),
    '--sslmode',
    'require',
    '--timeout',
    '500',
  );
  expectOneLineFailure(run, EXIT.timeout, /no answer within 500 ms/);
});

test('--env reads the connection secret from Secrets Manager', async () => {
  sm.create(
    connectionSecretName('dev'),
    JSON.stringify({
      host: '127.0.0.1',
      port: String(pg.port),
      database: pg.database,
      username: pg.user,
      password: pg.password,
      connection_string: pg.connectionString(),
    }),
  );
  const run = await dbTest('--env', 'dev', '--ca-file', pg.caFile);
  expect(run.status).toBe(EXIT.ok);
  expect(run.stdout).toContain('as spendsense_admin (sslmode verify-full)');
  expectSafe(run);
});

test('--env with a connection secret not yet synced gives the invalid-input code', async () => {
  sm.create(connectionSecretName('staging'), JSON.stringify(CONNECTION_SECRET_PLACEHOLDER));
  const run = await dbTest('--env', 'staging');
  expectOneLineFailure(run, EXIT.invalidInput, /still holds the deploy-time placeholders.*secret:sync/);
});

test.each([
  [[], /give one of --env, --secret-id or --connection-string/],
  [['--env', 'dev', '--secret-id', 'x'], /mutually exclusive/],
  [
    ['--connection-string', 'postgresql://u:p@h/d', '--sslmode', 'prefer'],
    /--sslmode: sslmode "prefer" not supported \(it falls back to no TLS/,
  ],
  [['--connection-string', 'postgresql://u:p@h:99999/d'], /connection-string: port "99999" is not a TCP port/],
  [
    ['--connection-string', 'postgresql://u:p@%2Ftmp/d'],
    /connection-string: host "\/tmp" is a unix socket path; db:test connects over TCP/,
  ],
  [
    ['--connection-string', 'postgresql://u:p@h/d', '--timeout', 'soon'],
    /timeout: got 'soon', expected a whole number of milliseconds/,
  ],
])('bad arguments %p give the invalid-input code', async (args, message) => {
  const run = await dbTest(...args);
  expectOneLineFailure(run, EXIT.invalidInput, message);
});

test('a Secrets Manager endpoint that never answers: --secret-id ends within --timeout with the timeout code', async () => {
  const silent = await startSilentServer();
  try {
    const run = await runScript('db-test', ['--secret-id', 'spendsense/dev/database/connection', '--timeout', '2000'], {
      ...env,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: silent.url,
    });
    expect(run.status).toBe(EXIT.timeout);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^db:test: Secrets Manager GetSecretValue on spendsense\/dev\/database\/connection: no answer within the 2 s budget/,
      ),
    ]);
    expect(run.ms).toBeLessThan(2000 + 8000);
  } finally {
    await silent.close();
  }
});
