import { isIP } from 'node:net';
import { EXIT, OpsError } from './errors';
import { parseHost } from './outputs';
import { SslMode, parseSslMode } from './sslmode';

export const DEFAULT_PORT = 5432;

/** Whom to connect to, and where that came from (for messages). */
export interface ConnectionTarget {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
  readonly origin: string;
}

export interface ParsedConnectionString {
  readonly target: ConnectionTarget;
  /** The URL's own `sslmode`, when it has one. */
  readonly sslmode?: SslMode;
}

const WHAT = 'connection-string';
const USAGE = 'postgresql://user:password@host:port/database';
// scheme :// [userinfo @] hostport [/ database] [? query] [# fragment]; userinfo holds no unencoded '@', '/', '?', '#'.
const URL_SHAPE = /^postgres(?:ql)?:\/\/(?:([^@/?#]*)@)?([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?(?:#.*)?$/i;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `text` is not well-formed UTF-16 (a lone surrogate): it has no UTF-8 form to send or percent-encode. */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

function invalid(detail: string): OpsError {
  return new OpsError(`${WHAT}: ${detail}`, EXIT.invalidInput);
}

/** Percent-decoding of one part; the value is never quoted back (it may be the password). */
function decode(part: string, field: string): string {
  let value: string;
  try {
    value = decodeURIComponent(part);
  } catch {
    throw invalid(
      `the ${field} is not valid percent-encoding (value not shown); encode it with encodeURIComponent, e.g. '%' as %25`,
    );
  }
  if (hasLoneSurrogate(value)) {
    throw invalid(
      `the ${field} holds a lone UTF-16 surrogate, which is not text PostgreSQL can take (value not shown)`,
    );
  }
  return value;
}

/** Host and port of `host:port`, `[v6]:port` or `host`; a unix socket path or a list of hosts is refused. */
function hostPort(text: string): { host: string; port: number } {
  const tcpOnly = 'db:test connects over TCP with TLS: give the DatabaseEndpoint host name';
  if (text === '') throw invalid(`no host (a unix socket default); ${tcpOnly}`);
  if (text.includes(',')) throw invalid(`several hosts given; give one host`);
  const m = /^(?:\[([^\]]*)\]|([^:]*))(?::(.*))?$/.exec(text);
  if (!m) throw invalid(`host ${JSON.stringify(text.slice(0, 80))} is not host:port; expected ${USAGE}`);
  const rawHost = m[1] ?? decode(m[2] ?? '', 'host');
  if (rawHost.startsWith('/') || rawHost.startsWith('@')) {
    throw invalid(`host ${JSON.stringify(rawHost.slice(0, 80))} is a unix socket path; ${tcpOnly}`);
  }
  if (m[1] !== undefined && isIP(rawHost) !== 6) {
    throw invalid(`host [${rawHost.slice(0, 80)}] is not an IPv6 address`);
  }
  const host = m[1] !== undefined ? rawHost : parseHost(rawHost, `${WHAT}: host`, `expected ${USAGE}`);
  const rawPort = m[3];
  if (rawPort === undefined || rawPort === '') return { host, port: DEFAULT_PORT };
  const port = /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw invalid(
      `port ${JSON.stringify(rawPort.slice(0, 20))} is not a TCP port; expected a whole number from 1 to 65535`,
    );
  }
  return { host, port };
}

/**
 * Reads a `postgresql://` URL with the kit's own parser (no library that rewrites or warns about `sslmode`). The
 * password is never quoted back. Query parameters other than `sslmode` are refused rather than ignored, since db:test
 * takes its TLS settings from its own options; so is a unix socket host.
 */
export function parseConnectionString(url: string): ParsedConnectionString {
  const m = URL_SHAPE.exec(url);
  if (!m) {
    throw invalid(`expected a URL of the form ${USAGE} (value not shown)`);
  }
  const [, userinfo, authority, path, query] = m;
  const params = new URLSearchParams(query ?? '');
  if (params.has('host') || params.has('hostaddr')) {
    throw invalid('a host parameter (unix socket or host override) is not supported; put the host in the URL');
  }
  const keys = [...new Set(params.keys())];
  const extra = keys.filter((k) => k !== 'sslmode');
  if (extra.length > 0) {
    throw invalid(
      `parameter${extra.length > 1 ? 's' : ''} ${extra.join(', ')} not supported; give TLS settings with --sslmode and --ca-file`,
    );
  }
  const modes = params.getAll('sslmode');
  if (modes.length > 1) throw invalid('sslmode given more than once; give it once');
  const sslmode = modes.length === 1 ? parseSslMode(modes[0], WHAT) : undefined;

  const { host, port } = hostPort(authority);
  const colon = (userinfo ?? '').indexOf(':');
  const user = decode(colon < 0 ? (userinfo ?? '') : userinfo.slice(0, colon), 'user name');
  const password = colon < 0 ? '' : decode(userinfo.slice(colon + 1), 'password');
  const database = decode(path ?? '', 'database name');
  const missing = Object.entries({ user, password, database })
    .filter(([, v]) => v === '')
    .map(([k]) => k);
  if (missing.length > 0) {
    throw invalid(`no ${missing.join(', ')} in the URL (value not shown); expected ${USAGE}`);
  }
  return { target: { host, port, database, user, password, origin: 'connection string' }, sslmode };
}
