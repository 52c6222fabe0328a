import {
  GetSecretValueCommand,
  GetSecretValueCommandOutput,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { CONNECTION_SECRET_PLACEHOLDER } from '../database-stack';
import { EnvironmentName } from '../profiles';
import { SERVICES, writeOptions } from './aws-clients';
import { awsCall } from './aws-errors';
import {
  ConnectionSecret,
  DISPLAYED_FIELDS,
  FieldChange,
  buildConnectionSecret,
  clientRequestToken,
  diffConnection,
  parseCredentials,
  parseStoredConnection,
  sameConnection,
  serializeConnectionSecret,
  storedPassword,
} from './connection-secret';
import { EXIT, OpsError } from './errors';
import { OutputsSource, loadStackOutputs, parseHost, parsePort, requireOutputs } from './outputs';
import { Redactor } from './redact';
import { Confirmation, verifiedWrite } from './verified-write';

export interface SecretSyncOptions {
  readonly env: EnvironmentName;
  readonly outputs: OutputsSource;
  readonly secretsManager: SecretsManagerClient;
  readonly dryRun: boolean;
  /** Learns every password read, so that the caller can keep it out of anything it prints. */
  readonly redactor: Redactor;
}

export type SecretSyncStatus = 'written' | 'unchanged' | 'dry-run';

export interface SecretSyncResult {
  readonly status: SecretSyncStatus;
  readonly stackName: string;
  readonly outputsOrigin: string;
  readonly credentialsSecretId: string;
  readonly connectionSecretId: string;
  /** Field-by-field changes, passwords masked; empty when unchanged. */
  readonly changes: readonly FieldChange[];
  /** The version now current, when something was written. */
  readonly versionId?: string;
  /** How the write is known to have happened: its answer, or the value read back after the answer was lost. */
  readonly confirmed?: Confirmation;
}

/**
 * Writes the connection secret of an environment from its credentials secret and stack outputs: reads both, writes
 * only when the stored value differs (with a content-derived `ClientRequestToken`), then reads it back to confirm.
 */
export async function syncConnectionSecret(options: SecretSyncOptions): Promise<SecretSyncResult> {
  const { secretsManager, redactor } = options;
  const loaded = await loadStackOutputs(options.env, options.outputs);
  const out = requireOutputs(loaded, [
    'DatabaseEndpoint',
    'DatabasePort',
    'DatabaseName',
    'CredentialsSecretArn',
    'ConnectionSecretArn',
  ]);
  const endpoint = {
    host: parseHost(out.DatabaseEndpoint, `${loaded.origin}: output DatabaseEndpoint`),
    port: parsePort(out.DatabasePort, `${loaded.origin}: output DatabasePort`),
    database: out.DatabaseName,
  };

  const getValue = (secretId: string): Promise<GetSecretValueCommandOutput> =>
    awsCall({ ...SERVICES.secretsManager, operation: 'GetSecretValue', resource: secretId }, () =>
      secretsManager.send(new GetSecretValueCommand({ SecretId: secretId })),
    );

  const credentialsSecret = await getValue(out.CredentialsSecretArn);
  const credentials = parseCredentials(credentialsSecret.SecretString, out.CredentialsSecretArn);
  redactor.add(credentials.password);
  const wanted = buildConnectionSecret(endpoint, credentials);
  redactor.add(wanted.connection_string);

  const current = await getValue(out.ConnectionSecretArn);
  const stored = parseStoredConnection(current.SecretString);
  redactor.add(storedPassword(stored));
  // Whatever else the stored secret holds may be secret too (a replica password, a JDBC URL): no message may show it.
  for (const [field, value] of Object.entries(stored ?? {})) {
    if (DISPLAYED_FIELDS.has(field)) continue;
    stringLeaves(value)
      .filter((leaf) => !PLACEHOLDER_VALUES.has(leaf))
      .forEach((leaf) => redactor.add(leaf));
  }

  const base = {
    stackName: loaded.stackName,
    outputsOrigin: loaded.origin,
    credentialsSecretId: out.CredentialsSecretArn,
    connectionSecretId: out.ConnectionSecretArn,
  };
  if (sameConnection(stored, wanted)) return { ...base, status: 'unchanged', changes: [] };
  const changes = diffConnection(stored, wanted);
  if (options.dryRun) return { ...base, status: 'dry-run', changes };

  const content = serializeConnectionSecret(wanted);
  const put = { ...SERVICES.secretsManager, operation: 'PutSecretValue', resource: out.ConnectionSecretArn };
  // A lost answer (timeout, dropped connection, 5xx) leaves the write unknown: the value read back says what happened.
  const written = await verifiedWrite({
    write: () =>
      awsCall(put, () =>
        secretsManager.send(
          new PutSecretValueCommand({
            SecretId: out.ConnectionSecretArn,
            SecretString: content,
            ClientRequestToken: clientRequestToken(content, current.VersionId),
          }),
          writeOptions(secretsManager),
        ),
      ),
    reread: async () => {
      const now = await getValue(out.ConnectionSecretArn);
      return sameConnection(parseStoredConnection(now.SecretString), wanted) ? now : undefined;
    },
    checkWith: `npm run secret:sync -- --env ${options.env} --dry-run`,
  });
  const readBack = written.confirmed === 'state' ? written.value : await getValue(out.ConnectionSecretArn);
  assertReadBack(readBack, wanted, out.ConnectionSecretArn);
  return {
    ...base,
    status: 'written',
    changes,
    versionId: readBack.VersionId ?? written.value.VersionId,
    confirmed: written.confirmed,
  };
}

/** The deploy-time placeholder's values are not secret, and are shown in diffs. */
const PLACEHOLDER_VALUES: ReadonlySet<string> = new Set(Object.values(CONNECTION_SECRET_PLACEHOLDER).map(String));

/** Every string inside a JSON value long enough to be a secret (short ones would mask ordinary words). */
function stringLeaves(value: unknown): string[] {
  if (typeof value === 'string') return value.length >= 4 ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(stringLeaves);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringLeaves);
  return [];
}

function assertReadBack(readBack: GetSecretValueCommandOutput, wanted: ConnectionSecret, secretId: string): void {
  if (!sameConnection(parseStoredConnection(readBack.SecretString), wanted)) {
    throw new OpsError(
      `connection secret ${secretId}: the current version (${readBack.VersionId ?? 'unknown'}) read back after writing differs from the value written; another writer changed it meanwhile; run secret:sync again`,
      EXIT.readBackMismatch,
    );
  }
}
