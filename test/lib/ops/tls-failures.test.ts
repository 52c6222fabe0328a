/**
 * Each class of TLS failure, against a real PostgreSQL that accepts the test database over TLS only: its own exit code
 * and its own hint. The server's certificate and TLS are switched with ALTER SYSTEM between the tests.
 */
import { readFileSync } from 'node:fs';
import { ConnectionTarget } from '../../../lib/ops/connection-string';
import { testConnection } from '../../../lib/ops/connection-test';
import { EXIT } from '../../../lib/ops/errors';
import { SslMode } from '../../../lib/ops/sslmode';
import { opsFailure } from '../../support/failure';
import { TestPostgres, startTestPostgres, targetOf } from '../../support/postgres';

let pg: TestPostgres;
let target: ConnectionTarget;
let ca: string;

beforeAll(async () => {
  pg = await startTestPostgres({ tlsOnly: true });
  ca = readFileSync(pg.caFile, 'utf8');
  target = targetOf(pg);
});
afterAll(async () => {
  await pg?.stop();
});

const connect = (sslmode: SslMode, o: { ca?: string; host?: string } = {}) =>
  testConnection({ target: { ...target, host: o.host ?? target.host }, sslmode, ca: o.ca, timeoutMs: 10_000 });

describe('with the valid certificate', () => {
  test('verify-full and verify-ca connect with the right CA', async () => {
    expect((await connect('verify-full', { ca })).tls).not.toBeNull();
    expect((await connect('verify-ca', { ca })).tls).not.toBeNull();
  });

  test('unknown CA: the TLS code and the hint to pass --ca-file', async () => {
    const err = await opsFailure(connect('verify-full', { ca: readFileSync(pg.otherCaFile, 'utf8') }));
    expect(err.exitCode).toBe(EXIT.tls);
    expect(err.message).toMatch(
      /\(UNABLE_TO_VERIFY_LEAF_SIGNATURE: .*\); pass the CA that signed the server certificate with --ca-file/,
    );
  });

  test('server requires TLS: sslmode disable gets the TLS code, not the password hint', async () => {
    const err = await opsFailure(connect('disable'));
    expect(err.exitCode).toBe(EXIT.tls);
    expect(err.message).toMatch(
      /the server accepts only TLS connections \(28000: no pg_hba\.conf entry .*no encryption\); connect with --sslmode verify-full and --ca-file/,
    );
    expect(err.message).not.toMatch(/password/);
  });
});

describe('with other certificates', () => {
  afterAll(() => pg.reconfigure({ certFile: pg.certFile }));

  test('name mismatch: the TLS code and the hint to use the endpoint name; verify-ca does not check the name', async () => {
    await pg.reconfigure({ certFile: pg.elsewhereCertFile });
    const err = await opsFailure(connect('verify-full', { ca }));
    expect(err.exitCode).toBe(EXIT.tls);
    expect(err.message).toMatch(
      /ERR_TLS_CERT_ALTNAME_INVALID: .*the certificate is not for '127\.0\.0\.1'; connect with the DatabaseEndpoint host name/,
    );
    expect((await connect('verify-ca', { ca })).tls).not.toBeNull();
  });

  test('expired: the TLS code and the hint about the certificate and the clock', async () => {
    await pg.reconfigure({ certFile: pg.expiredCertFile });
    const err = await opsFailure(connect('verify-full', { ca }));
    expect(err.exitCode).toBe(EXIT.tls);
    expect(err.message).toMatch(
      /\(CERT_HAS_EXPIRED: .*\); the server certificate has expired \(this machine's clock says \d{4}-\d\d-\d\dT[\d:]+Z\)/,
    );
    expect(err.message).not.toMatch(/--ca-file/);
    // require encrypts without checking, and connects.
    expect((await connect('require')).tls).not.toBeNull();
  });

  test('not yet valid: the TLS code and the hint to check the clock', async () => {
    await pg.reconfigure({ certFile: pg.futureCertFile });
    const err = await opsFailure(connect('verify-ca', { ca }));
    expect(err.exitCode).toBe(EXIT.tls);
    expect(err.message).toMatch(
      /\(CERT_NOT_YET_VALID: .*\); the server certificate is not valid yet .*check this machine's clock/,
    );
  });
});

describe('without TLS at the server', () => {
  afterAll(() => pg.reconfigure({ ssl: true }));

  test('server has no TLS: the TLS code and the hint that it offers none', async () => {
    await pg.reconfigure({ ssl: false });
    const err = await opsFailure(connect('require'));
    expect(err.exitCode).toBe(EXIT.tls);
    expect(err.message).toMatch(
      /The server does not support SSL connections\); the server offers no TLS \(RDS always does\)/,
    );
  });
});
