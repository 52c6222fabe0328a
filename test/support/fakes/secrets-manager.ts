import { createHash, randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { LocalServer, startLocalServer } from './http';

/**
 * A Secrets Manager that lives in memory and speaks the service's JSON 1.1 protocol (`X-Amz-Target:
 * secretsmanager.<Operation>`), for real SDK clients pointed at it with `AWS_ENDPOINT_URL_SECRETS_MANAGER`.
 * GetSecretValue and PutSecretValue follow the API: versions with stages, `ClientRequestToken` idempotency.
 */

export interface FakeVersion {
  readonly versionId: string;
  readonly secretString: string;
  stages: string[];
}

export interface FakeSecret {
  readonly name: string;
  readonly arn: string;
  readonly versions: FakeVersion[];
}

export interface RecordedCall {
  readonly operation: string;
  readonly input: Record<string, unknown>;
  /** The request's SigV4 Authorization header (its credential scope names the region). */
  readonly authorization?: string;
}

export type FaultKind = 'AccessDenied' | 'Throttling';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export class FakeSecretsManager {
  readonly calls: RecordedCall[] = [];
  /** Runs after each successful PutSecretValue: lets a test play a concurrent writer. */
  afterPut?: (secret: FakeSecret) => void;
  private readonly secrets = new Map<string, FakeSecret>();
  private readonly faults = new Map<string, FaultKind>();
  private server?: LocalServer;

  /** Starts listening on 127.0.0.1; returns the endpoint URL for `AWS_ENDPOINT_URL_SECRETS_MANAGER`. */
  async start(): Promise<string> {
    this.server = await startLocalServer((req, body, res) => this.handle(req, body, res));
    return this.server.url;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  /** Creates a secret (with a first AWSCURRENT version when a value is given) and returns its ARN. */
  create(name: string, secretString?: string): string {
    const suffix = createHash('sha256').update(name).digest('hex').slice(0, 6);
    const secret: FakeSecret = {
      name,
      arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-${suffix}`,
      versions: [],
    };
    this.secrets.set(name, secret);
    if (secretString !== undefined) this.addVersion(secret, randomUUID(), secretString);
    return secret.arn;
  }

  /** The AWSCURRENT value of a secret, by name or ARN. */
  current(id: string): string | undefined {
    return this.find(id)?.versions.find((v) => v.stages.includes('AWSCURRENT'))?.secretString;
  }

  versions(id: string): readonly FakeVersion[] {
    return this.find(id)?.versions ?? [];
  }

  /** Makes every later call of `operation` fail with AccessDenied or throttling, until {@link clearFaults}. */
  fail(operation: string, kind: FaultKind): void {
    this.faults.set(operation, kind);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  count(operation: string): number {
    return this.calls.filter((c) => c.operation === operation).length;
  }

  private find(id: string): FakeSecret | undefined {
    return this.secrets.get(id) ?? [...this.secrets.values()].find((s) => s.arn === id);
  }

  /** Writes a new AWSCURRENT version directly, as another writer would. */
  put(id: string, secretString: string): void {
    const secret = this.find(id);
    if (!secret) throw new Error(`no secret ${id}`);
    this.addVersion(secret, randomUUID(), secretString);
  }

  private addVersion(secret: FakeSecret, versionId: string, secretString: string): FakeVersion {
    for (const v of secret.versions) {
      if (v.stages.includes('AWSCURRENT')) v.stages = ['AWSPREVIOUS'];
      else v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS');
    }
    const version: FakeVersion = { versionId, secretString, stages: ['AWSCURRENT'] };
    secret.versions.push(version);
    return version;
  }

  private handle(req: IncomingMessage, body: string, res: ServerResponse): void {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.replace(/^secretsmanager\./, '');
    const input = (body ? JSON.parse(body) : {}) as Record<string, unknown>;
    this.calls.push({ operation, input, authorization: String(req.headers.authorization ?? '') });
    try {
      const fault = this.faults.get(operation);
      if (fault === 'AccessDenied') {
        throw new ApiError(
          'AccessDeniedException',
          `User: arn:aws:iam::${ACCOUNT}:user/tester is not authorized to perform: secretsmanager:${operation} on resource: ${String(input.SecretId)} because no identity-based policy allows the secretsmanager:${operation} action`,
        );
      }
      if (fault === 'Throttling') throw new ApiError('ThrottlingException', 'Rate exceeded');
      const output = this.dispatch(operation, input);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(output));
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError('InternalServiceError', String(err), 500);
      res.writeHead(e.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': e.type });
      res.end(JSON.stringify({ __type: e.type, message: e.message }));
    }
  }

  private dispatch(operation: string, input: Record<string, unknown>): Record<string, unknown> {
    const secret = this.find(String(input.SecretId));
    if (!secret) {
      throw new ApiError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    }
    switch (operation) {
      case 'GetSecretValue': {
        const stage = typeof input.VersionStage === 'string' ? input.VersionStage : 'AWSCURRENT';
        const version =
          typeof input.VersionId === 'string'
            ? secret.versions.find((v) => v.versionId === input.VersionId)
            : secret.versions.find((v) => v.stages.includes(stage));
        if (!version) {
          throw new ApiError(
            'ResourceNotFoundException',
            "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
          );
        }
        return {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: version.versionId,
          SecretString: version.secretString,
          VersionStages: version.stages,
          CreatedDate: Date.now() / 1000,
        };
      }
      case 'PutSecretValue': {
        const token = typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : randomUUID();
        if (token.length < 32 || token.length > 64) {
          throw new ApiError('ValidationException', 'ClientRequestToken must be 32 to 64 characters long.');
        }
        const secretString = String(input.SecretString);
        const existing = secret.versions.find((v) => v.versionId === token);
        if (existing && existing.secretString !== secretString) {
          throw new ApiError(
            'ResourceExistsException',
            'You can’t modify an existing version, you can only create a new version.',
          );
        }
        const version = existing ?? this.addVersion(secret, token, secretString);
        this.afterPut?.(secret);
        return { ARN: secret.arn, Name: secret.name, VersionId: version.versionId, VersionStages: version.stages };
      }
      default:
        throw new ApiError('InvalidAction', `The fake does not implement ${operation}.`);
    }
  }
}
