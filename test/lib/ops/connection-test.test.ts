import { opsFailure } from '../../support/failure';
import { AddressInfo, Server, Socket, createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { ConnectionTarget } from '../../../lib/ops/connection-string';
import { targetFromSecret, testConnection } from '../../../lib/ops/connection-test';
import { EXIT, OpsError } from '../../../lib/ops/errors';
import { TestPostgres, freePort, startTestPostgres, targetOf } from '../../support/postgres';

let pg: TestPostgres;
let target: ConnectionTarget;

beforeAll(async () => {
  pg = await startTestPostgres();
  target = targetOf(pg);
});
afterAll(async () => {
  await pg?.stop();
});

const failure = opsFailure;

describe('testConnection against a real PostgreSQL with TLS', () => {
  test('verify-full with the right CA reports version, TLS, latency, database and user', async () => {
    const report = await testConnection({
      target,
      sslmode: 'verify-full',
      ca: readFileSync(pg.caFile, 'utf8'),
      timeoutMs: 10_000,
    });
    expect(report.serverVersion).toMatch(/^PostgreSQL \d+/);
    expect(report.tls?.version).toMatch(/^TLSv1\.[23]$/);
    expect(report.tls?.cipher).toMatch(/\w/);
    expect(report).toMatchObject({ database: pg.database, user: pg.user, host: '127.0.0.1', port: pg.port });
    expect(report.connectMs).toBeGreaterThan(0);
    expect(report.queryMs).toBeGreaterThan(0);
  });

  test('verify-full checks the host name: localhost is in the certificate too', async () => {
    const report = await testConnection({
      target: { ...target, host: 'localhost' },
      sslmode: 'verify-full',
      ca: readFileSync(pg.caFile, 'utf8'),
      timeoutMs: 10_000,
    });
    expect(report.tls).not.toBeNull();
  });

  test('require encrypts without checking the certificate', async () => {
    const report = await testConnection({ target, sslmode: 'require', timeoutMs: 10_000 });
    expect(report.tls?.version).toMatch(/^TLSv1/);
  });

  test('disable connects without TLS and reports none', async () => {
    const report = await testConnection({ target, sslmode: 'disable', timeoutMs: 10_000 });
    expect(report.tls).toBeNull();
  });

  test('fails with the TLS code when the server certificate is from another CA', async () => {
    const err = await failure(
      testConnection({ target, sslmode: 'verify-full', ca: readFileSync(pg.otherCaFile, 'utf8'), timeoutMs: 10_000 }),
    );
    expect(err.exitCode).toBe(EXIT.tls);
    expect(err.message).toMatch(/TLS failed with sslmode verify-full.*--ca-file/);
  });

  test('fails with the TLS code when verify-full has only the system trust store', async () => {
    const err = await failure(testConnection({ target, sslmode: 'verify-full', timeoutMs: 10_000 }));
    expect(err.exitCode).toBe(EXIT.tls);
  });

  test('fails with the auth code on a wrong password, and never shows a password', async () => {
    const wrong = 'wrong-Secret-value';
    const err = await failure(
      testConnection({
        target: { ...target, password: wrong },
        sslmode: 'verify-full',
        ca: readFileSync(pg.caFile, 'utf8'),
        timeoutMs: 10_000,
      }),
    );
    expect(err.exitCode).toBe(EXIT.auth);
    expect(err.message).toMatch(/authentication failed \(28P01/);
    expect(err.message).not.toContain(wrong);
    expect(err.message).not.toContain(pg.password);
  });

  test('fails with the server code for a database that does not exist', async () => {
    const err = await failure(
      testConnection({ target: { ...target, database: 'nosuchdb' }, sslmode: 'require', timeoutMs: 10_000 }),
    );
    expect(err.exitCode).toBe(EXIT.server);
    expect(err.message).toMatch(/3D000/);
  });

  test('fails with the unreachable code on a closed port', async () => {
    const port = await freePort();
    const err = await failure(testConnection({ target: { ...target, port }, sslmode: 'require', timeoutMs: 10_000 }));
    expect(err.exitCode).toBe(EXIT.unreachable);
    expect(err.message).toContain('ECONNREFUSED');
  });
});

describe('timeout', () => {
  let silent: Server;
  const accepted: Socket[] = [];
  let closedByClient = 0;

  beforeAll(async () => {
    // Accepts connections and never answers: pg waits for the reply to its SSLRequest.
    silent = createServer((socket) => {
      accepted.push(socket);
      socket.resume(); // read (and drop) what pg sends, so that its closing is seen
      socket.on('close', () => (closedByClient += 1));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    accepted.forEach((s) => s.destroy());
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  test.each([800, 1500])('gives the timeout code within %i ms + 10%% and closes the socket', async (timeoutMs) => {
    const { port } = silent.address() as AddressInfo;
    const before = closedByClient;
    const started = performance.now();
    const err = await failure(testConnection({ target: { ...target, port }, sslmode: 'require', timeoutMs }));
    const elapsed = performance.now() - started;
    expect(err.exitCode).toBe(EXIT.timeout);
    expect(err.message).toMatch(new RegExp(`no answer within ${timeoutMs} ms \\(during TLS handshake and login\\)`));
    expect(elapsed).toBeGreaterThanOrEqual(timeoutMs - 1);
    expect(elapsed).toBeLessThan(timeoutMs * 1.1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closedByClient).toBe(before + 1);
  });
});

describe('inputs', () => {
  test('reads the connection secret format and the RDS credentials format', () => {
    const conn = targetFromSecret(
      JSON.stringify({ host: 'db', port: '5433', database: 'd', username: 'u', password: 'p', connection_string: 'x' }),
      'id',
    );
    expect(conn).toMatchObject({ host: 'db', port: 5433, database: 'd', user: 'u', password: 'p' });
    const rds = targetFromSecret(
      JSON.stringify({ host: 'db', port: 5432, dbname: 'd', username: 'u', password: 'p' }),
      'id',
    );
    expect(rds).toMatchObject({ port: 5432, database: 'd' });
  });

  test('refuses a connection secret that still holds the placeholders', () => {
    expect(() =>
      targetFromSecret(
        JSON.stringify({
          host: 'PENDING_SYNC',
          port: 'PENDING_SYNC',
          database: 'd',
          username: 'u',
          password: 'PENDING_SYNC',
        }),
        'spendsense/dev/database/connection',
      ),
    ).toThrow(/spendsense\/dev\/database\/connection: still holds the deploy-time placeholders.*secret:sync/);
  });

  test.each([
    [
      'a unix socket path as host',
      { host: '/var/run/postgresql' },
      /field host: got "\/var\/run\/postgresql", expected a host name/,
    ],
    ['a lone surrogate in the password', { password: 'ab\uD800cd' }, /field password holds a lone UTF-16 surrogate/],
  ])('refuses a connection secret with %s (invalid input)', (_, override, message) => {
    const secret = { host: 'db', port: '5432', database: 'd', username: 'u', password: 'p', ...override };
    let err: unknown;
    try {
      targetFromSecret(JSON.stringify(secret), 'id');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OpsError);
    expect((err as OpsError).exitCode).toBe(EXIT.invalidInput);
    expect((err as OpsError).message).toMatch(message);
    expect((err as OpsError).message).not.toContain('ab\uD800cd');
  });
});
