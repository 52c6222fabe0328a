import { createHash } from 'node:crypto';
import { CONNECTION_SECRET_PLACEHOLDER } from '../database-stack';
import { MASK, maskUrlPasswords } from './redact';
import { EXIT, OpsError } from './errors';
import { isRecord } from './outputs';
import { hasLoneSurrogate } from './connection-string';

/**
 * The connection secret `spendsense/<env>/database/connection`, in the format the applications read:
 * `{"host","port","database","username","password","connection_string"}`, port as a string.
 */
export interface ConnectionSecret {
  readonly host: string;
  readonly port: string;
  readonly database: string;
  readonly username: string;
  readonly password: string;
  readonly connection_string: string;
}

/** Field order of the stored JSON. */
export const CONNECTION_FIELDS = ['host', 'port', 'database', 'username', 'password', 'connection_string'] as const;
export type ConnectionField = (typeof CONNECTION_FIELDS)[number];

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly database: string;
}

/**
 * `postgresql://user:password@host:port/database`, user, password and database percent-encoded so that any value
 * parses back (pg-connection-string, libpq) to exactly itself.
 */
export function connectionString(endpoint: Endpoint, credentials: Credentials): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  const user = encodeURIComponent(credentials.username);
  const password = encodeURIComponent(credentials.password);
  return `postgresql://${user}:${password}@${host}:${endpoint.port}/${encodeURIComponent(endpoint.database)}`;
}

export function buildConnectionSecret(endpoint: Endpoint, credentials: Credentials): ConnectionSecret {
  return {
    host: endpoint.host,
    port: String(endpoint.port),
    database: endpoint.database,
    username: credentials.username,
    password: credentials.password,
    connection_string: connectionString(endpoint, credentials),
  };
}

/** The stored form: JSON with the fields in {@link CONNECTION_FIELDS} order, so equal secrets give equal strings. */
export function serializeConnectionSecret(secret: ConnectionSecret): string {
  return JSON.stringify(Object.fromEntries(CONNECTION_FIELDS.map((f) => [f, secret[f]])));
}

/**
 * The `ClientRequestToken` of a write: a UUID-formatted slice of the SHA-256 of the version it replaces and the new
 * content. A retried run that writes the same content over the same version sends the same token, which Secrets
 * Manager treats as the same request; a change back to an earlier value after other versions still gets a new token,
 * so it is not mistaken for the old request and ignored.
 */
export function clientRequestToken(content: string, replacesVersionId: string | undefined): string {
  const hex = createHash('sha256')
    .update(`${replacesVersionId ?? ''}\n${content}`)
    .digest('hex');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20, 32)].join('-');
}

/**
 * The username and password of the credentials secret RDS generated. Fails with one line naming the secret and the
 * field; the content itself is never quoted, since it holds the password.
 */
export function parseCredentials(secretString: string | undefined, secretId: string): Credentials {
  const fix = `restore the value RDS generated (aws secretsmanager rotate-secret --secret-id ${secretId})`;
  if (secretString === undefined) {
    throw new OpsError(
      `credentials secret ${secretId}: no SecretString (binary or empty value); expected JSON with username and password; ${fix}`,
      EXIT.invalidInput,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new OpsError(
      `credentials secret ${secretId}: value is not JSON (content not shown); expected JSON with username and password; ${fix}`,
      EXIT.invalidInput,
    );
  }
  if (!isRecord(parsed)) {
    throw new OpsError(
      `credentials secret ${secretId}: value is JSON but not an object; expected JSON with username and password; ${fix}`,
      EXIT.invalidInput,
    );
  }
  for (const field of ['username', 'password'] as const) {
    const value = parsed[field];
    if (typeof value !== 'string' || value.length === 0) {
      const got = value === undefined ? 'missing' : typeof value === 'string' ? 'empty' : `a ${typeof value}`;
      throw new OpsError(
        `credentials secret ${secretId}: field '${field}' is ${got}, expected a non-empty string; ${fix}`,
        EXIT.invalidInput,
      );
    }
    if (hasLoneSurrogate(value)) {
      throw new OpsError(
        `credentials secret ${secretId}: field '${field}' holds a lone UTF-16 surrogate, which has no UTF-8 form for a connection string (value not shown); ${fix}`,
        EXIT.invalidInput,
      );
    }
  }
  return { username: parsed.username as string, password: parsed.password as string };
}

/** The stored connection secret as field → value, or `undefined` when it is not a JSON object. */
export function parseStoredConnection(secretString: string | undefined): Record<string, unknown> | undefined {
  if (secretString === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(secretString);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** True when the stored value holds exactly the wanted fields and values (key order and spacing aside). */
export function sameConnection(stored: Record<string, unknown> | undefined, wanted: ConnectionSecret): boolean {
  if (stored === undefined) return false;
  const keys = Object.keys(stored);
  return keys.length === CONNECTION_FIELDS.length && CONNECTION_FIELDS.every((f) => stored[f] === wanted[f]);
}

/** The password of a stored connection secret, unless it is missing or the deploy-time placeholder. */
export function storedPassword(stored: Record<string, unknown> | undefined): string | undefined {
  const password = stored?.password;
  return typeof password === 'string' && password !== CONNECTION_SECRET_PLACEHOLDER.password ? password : undefined;
}

/**
 * Fields of a stored connection secret whose values are not secret and are shown in diffs (still masked where they
 * hold a URL or keyword password). Every other field, the password and the connection string among them, is shown by
 * name only: a stored secret can hold anything (a `replica_password`, a JDBC URL, a nested object).
 */
export const DISPLAYED_FIELDS: ReadonlySet<string> = new Set([
  'host',
  'port',
  'database',
  'dbname',
  'username',
  'engine',
  'dbInstanceIdentifier',
]);

export interface FieldChange {
  readonly field: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** Displayed old value, for a displayed field with a plain value; never a secret. */
  readonly before?: string;
  /** Displayed new value, for a displayed field with a plain value; never a secret. */
  readonly after?: string;
}

function display(field: string, value: unknown, passwords: readonly string[]): string | undefined {
  if (!DISPLAYED_FIELDS.has(field) || value === undefined) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return undefined;
  let text = String(value);
  for (const p of passwords) {
    if (p) text = text.split(encodeURIComponent(p)).join(MASK).split(p).join(MASK);
  }
  return maskUrlPasswords(text);
}

/**
 * What would change from the stored value to the wanted one, field by field: every field by name and kind of change,
 * values only for {@link DISPLAYED_FIELDS}.
 */
export function diffConnection(stored: Record<string, unknown> | undefined, wanted: ConnectionSecret): FieldChange[] {
  const before = stored ?? {};
  const passwords = [wanted.password, storedPassword(stored) ?? ''];
  const change = (field: string, old: unknown, next: unknown): FieldChange => ({
    field,
    change: old === undefined ? 'added' : next === undefined ? 'removed' : 'changed',
    before: display(field, old, passwords),
    after: display(field, next, passwords),
  });
  const changes: FieldChange[] = [];
  for (const field of CONNECTION_FIELDS) {
    if (before[field] !== wanted[field]) changes.push(change(field, before[field], wanted[field]));
  }
  for (const field of Object.keys(before)) {
    if (!(CONNECTION_FIELDS as readonly string[]).includes(field))
      changes.push(change(field, before[field], undefined));
  }
  return changes;
}
