import { readFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Client } from 'pg';
import { CONNECTION_SECRET_PLACEHOLDER } from '../database-stack';
import { SERVICES } from './aws-clients';
import { awsCall } from './aws-errors';
import { EXIT, OpsError, errorMessage } from './errors';
import { isRecord, parseHost } from './outputs';
import { ConnectionTarget, DEFAULT_PORT, hasLoneSurrogate } from './connection-string';
import { SSL_MODE_TABLE, SslMode, describeSslMode, tlsOptions } from './sslmode';

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Where RDS publishes the CA bundle that `--ca-file` takes. */
export const RDS_CA_BUNDLE_URL = 'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem';

/**
 * The target described by a connection secret (`{"host","port","database","username","password",...}`) or by the
 * credentials secret RDS generates (`dbname` instead of `database`).
 */
export function targetFromSecret(secretString: string | undefined, secretId: string): ConnectionTarget {
  const what = `secret ${secretId}`;
  let parsed: unknown;
  try {
    parsed = secretString === undefined ? undefined : JSON.parse(secretString);
  } catch {
    parsed = undefined;
  }
  if (!isRecord(parsed)) {
    throw new OpsError(
      `${what}: value is not a JSON object (content not shown); expected the connection secret written by secret:sync`,
      EXIT.invalidInput,
    );
  }
  if (Object.values(parsed).includes(CONNECTION_SECRET_PLACEHOLDER.host)) {
    throw new OpsError(
      `${what}: still holds the deploy-time placeholders (${CONNECTION_SECRET_PLACEHOLDER.host}); run npm run secret:sync -- --env <env> first`,
      EXIT.invalidInput,
    );
  }
  const database = parsed.database ?? parsed.dbname;
  const fields = { host: parsed.host, username: parsed.username, password: parsed.password, database };
  const missing = Object.entries(fields)
    .filter(([, v]) => typeof v !== 'string' || v.length === 0)
    .map(([k]) => k);
  if (missing.length > 0) {
    throw new OpsError(
      `${what}: field${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing or not a string; run npm run secret:sync -- --env <env> to rewrite it`,
      EXIT.invalidInput,
    );
  }
  const broken = (['username', 'password'] as const).filter((k) => hasLoneSurrogate(fields[k] as string));
  if (broken.length > 0) {
    throw new OpsError(
      `${what}: field ${broken.join(', ')} holds a lone UTF-16 surrogate, not text PostgreSQL can take (value not shown); rotate the secret or run npm run secret:sync -- --env <env>`,
      EXIT.invalidInput,
    );
  }
  const host = parseHost(
    fields.host as string,
    `${what}: field host`,
    'db:test connects over TCP: run npm run secret:sync -- --env <env> to rewrite it',
  );
  const rawPort = parsed.port ?? DEFAULT_PORT;
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new OpsError(`${what}: field port is ${JSON.stringify(rawPort)}, expected a TCP port`, EXIT.invalidInput);
  }
  return {
    host,
    port,
    database: fields.database as string,
    user: fields.username as string,
    password: fields.password as string,
    origin: what,
  };
}

export async function readSecretTarget(client: SecretsManagerClient, secretId: string): Promise<ConnectionTarget> {
  const response = await awsCall({ ...SERVICES.secretsManager, operation: 'GetSecretValue', resource: secretId }, () =>
    client.send(new GetSecretValueCommand({ SecretId: secretId })),
  );
  return targetFromSecret(response.SecretString, secretId);
}

/** The PEM bundle of `--ca-file`. */
export async function readCaFile(path: string): Promise<string> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (err) {
    throw new OpsError(`ca-file: cannot read '${path}' (${errorMessage(err)})`, EXIT.invalidInput);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new OpsError(
      `ca-file: '${path}' holds no PEM certificate; download the RDS bundle from ${RDS_CA_BUNDLE_URL}`,
      EXIT.invalidInput,
    );
  }
  return pem;
}

export interface ConnectionTestOptions {
  readonly target: ConnectionTarget;
  readonly sslmode: SslMode;
  /** PEM bundle of trusted CAs for verify-full; the system's trust store when absent. */
  readonly ca?: string;
  /** Budget for the whole test (resolve, connect, TLS, login, queries), in milliseconds. */
  readonly timeoutMs: number;
  /** The budget the message names, when `timeoutMs` is what is left of a larger one (default: `timeoutMs`). */
  readonly budgetMs?: number;
}

export interface ConnectionReport {
  readonly host: string;
  readonly port: number;
  /** As the server reports them (`current_database()`, `current_user`). */
  readonly database: string;
  readonly user: string;
  readonly sslmode: SslMode;
  /** `select version()`. */
  readonly serverVersion: string;
  /** This session's row of `pg_stat_ssl`; `null` without TLS. */
  readonly tls: { readonly version: string; readonly cipher: string } | null;
  /** Resolve, TCP, TLS and login, in milliseconds. */
  readonly connectMs: number;
  /** `select version()`, in milliseconds. */
  readonly queryMs: number;
}

type Phase = 'TCP connect' | 'TLS handshake and login' | 'query';

class Timeout extends Error {
  constructor(readonly phase: Phase) {
    super(`timeout during ${phase}`);
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/**
 * Connects with pg, runs `select version()` and reads its own session's TLS version and cipher from `pg_stat_ssl`.
 * The whole test is bounded by `timeoutMs`: when it runs out, the socket is destroyed and a timeout error thrown,
 * whatever stage pg was at. Every failure becomes an {@link OpsError} with the exit code of its kind.
 */
export async function testConnection(options: ConnectionTestOptions): Promise<ConnectionReport> {
  const { target, sslmode, timeoutMs } = options;
  const ssl = tlsOptions(sslmode, options.ca);
  const started = performance.now();
  let socket: Socket | undefined;
  let phase: Phase = 'TCP connect';
  const client = new Client({
    host: target.host,
    port: target.port,
    database: target.database,
    user: target.user,
    password: target.password,
    ssl,
    application_name: 'spendsense-db-test',
    stream: () => {
      socket = new Socket();
      socket.once('connect', () => (phase = phase === 'TCP connect' ? 'TLS handshake and login' : phase));
      return socket;
    },
  });
  // Errors after we have given up (timeout) or finished must not surface as unhandled 'error' events.
  client.on('error', () => undefined);

  const work = (async (): Promise<ConnectionReport> => {
    await client.connect();
    const connected = performance.now();
    phase = 'query';
    const version = await client.query<{ version: string }>('select version()');
    const queried = performance.now();
    const session = await client.query<{
      ssl: boolean;
      version: string | null;
      cipher: string | null;
      database: string;
      user: string;
    }>(
      'select s.ssl, s.version, s.cipher, current_database() as database, current_user as user from pg_stat_ssl s where s.pid = pg_backend_pid()',
    );
    await client.end();
    const row = session.rows[0];
    return {
      host: target.host,
      port: target.port,
      database: row?.database ?? target.database,
      user: row?.user ?? target.user,
      sslmode,
      serverVersion: version.rows[0]?.version ?? '',
      tls: row?.ssl ? { version: row.version ?? 'unknown', cipher: row.cipher ?? 'unknown' } : null,
      connectMs: round(connected - started),
      queryMs: round(queried - connected),
    };
  })();
  work.catch(() => undefined);

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(phase)), timeoutMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } catch (err) {
    throw classifyConnectionError(err, target, sslmode, options.budgetMs ?? timeoutMs) ?? err;
  } finally {
    clearTimeout(timer);
    socket?.destroy();
  }
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ETIMEDOUT',
  'ECONNRESET',
]);
const NOT_RESOLVED = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME']);
const AUTH_SQLSTATES = new Set(['28P01', '28000']);
const TLS_CODE = /^ERR_(TLS|SSL)_|CERT|^UNABLE_TO_|SELF_SIGNED|^DEPTH_ZERO|^HOSTNAME_MISMATCH/;

/** Node's codes for a chain that does not end at a trusted CA. */
const UNKNOWN_CA = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/** The fix for each class of TLS failure: no TLS at the server, wrong name, expired, not yet valid, unknown CA. */
function tlsHint(code: string, message: string, host: string): string {
  const clock = `this machine's clock says ${new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
  if (/does not support SSL/i.test(message)) {
    return 'the server offers no TLS (RDS always does): check that host and port are the database, not a proxy or tunnel, and use --sslmode disable only for a local test server';
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `the certificate is not for '${host}'; connect with the DatabaseEndpoint host name`;
  }
  if (code === 'CERT_HAS_EXPIRED') {
    return `the server certificate has expired (${clock}); the server needs a current certificate (RDS: rotate the instance's certificate authority), or this clock is wrong`;
  }
  if (code === 'CERT_NOT_YET_VALID') {
    return `the server certificate is not valid yet (${clock}); check this machine's clock and time zone`;
  }
  if (UNKNOWN_CA.has(code)) {
    return `pass the CA that signed the server certificate with --ca-file (RDS: ${RDS_CA_BUNDLE_URL})`;
  }
  return 'check the server certificate and the --ca-file bundle';
}

interface ErrorShape {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly severity?: unknown;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Maps what testConnection meets to an {@link OpsError} with the exit code of its kind; `undefined` if unforeseen. */
export function classifyConnectionError(
  err: unknown,
  target: Pick<ConnectionTarget, 'host' | 'port' | 'user' | 'database'>,
  sslmode: SslMode,
  timeoutMs: number,
): OpsError | undefined {
  if (err instanceof OpsError) return err;
  const where = `${target.host}:${target.port}`;
  if (err instanceof Timeout) {
    return new OpsError(
      `${where}: no answer within ${timeoutMs} ms (during ${err.phase}); check that the database security group admits this address (npm run dev-access -- --env dev --add), the host and the port`,
      EXIT.timeout,
    );
  }
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as ErrorShape;
  const fromServer = typeof e.severity === 'string';
  const code = typeof e.code === 'string' ? e.code : '';
  const message = oneLine(typeof e.message === 'string' ? e.message : '');

  if (NOT_RESOLVED.has(code)) {
    return new OpsError(
      `host '${target.host}': does not resolve (${code}); check the DatabaseEndpoint output or the connection string`,
      EXIT.unreachable,
    );
  }
  if (UNREACHABLE.has(code)) {
    return new OpsError(
      `${where}: unreachable (${code}: ${message}); check the host, the port and that the database security group admits this address`,
      EXIT.unreachable,
    );
  }
  if (fromServer && code === '28000' && /no encryption/i.test(message) && !SSL_MODE_TABLE[sslmode].encrypted) {
    return new OpsError(
      `${where}: the server accepts only TLS connections (${code}: ${message}); connect with --sslmode verify-full and --ca-file (RDS: ${RDS_CA_BUNDLE_URL})`,
      EXIT.tls,
    );
  }
  const tlsMessage = /\bSSL\b|\bTLS\b|certificate/i.test(message);
  if (TLS_CODE.test(code) || (tlsMessage && !fromServer)) {
    return new OpsError(
      `${where}: TLS failed with sslmode ${sslmode} (${code ? `${code}: ` : ''}${message}); ${tlsHint(code, message, target.host)}`,
      EXIT.tls,
    );
  }
  if (fromServer && AUTH_SQLSTATES.has(code)) {
    return new OpsError(
      `user '${target.user}' at ${where}/${target.database}: authentication failed (${code}: ${message}); check the password (npm run secret:sync -- --env <env> rewrites it from the credentials secret)`,
      EXIT.auth,
    );
  }
  if (fromServer) {
    return new OpsError(`${where}/${target.database}: the server refused (${code}: ${message})`, EXIT.server);
  }
  if (/Connection terminated/i.test(message)) {
    return new OpsError(
      `${where}: the server closed the connection during login (${message}); check that it is PostgreSQL and accepts sslmode ${sslmode}`,
      EXIT.server,
    );
  }
  return undefined;
}

/** The report as text lines, for people. */
export function formatConnectionReport(r: ConnectionReport): string[] {
  return [
    `connected to ${r.host}:${r.port}/${r.database} as ${r.user} (sslmode ${r.sslmode})`,
    `server:  ${r.serverVersion}`,
    `tls:     ${r.tls ? `${r.tls.version} ${r.tls.cipher}` : 'none'} (sslmode ${r.sslmode}: ${describeSslMode(r.sslmode)})`,
    `latency: connect ${r.connectMs} ms, select version() ${r.queryMs} ms`,
  ];
}
