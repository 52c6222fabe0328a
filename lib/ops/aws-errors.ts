import { BudgetExceeded, WriteUnanswered } from './aws-clients';
import { EXIT, OpsError } from './errors';

/** The AWS call that failed, for the message: `Secrets Manager GetSecretValue on spendsense/dev/database/connection`. */
export interface AwsCall {
  /** Service name as people say it, e.g. `Secrets Manager`. */
  readonly service: string;
  /** IAM action prefix of the service, e.g. `secretsmanager`. */
  readonly iamPrefix: string;
  /** The service's part of `AWS_ENDPOINT_URL_<SERVICE>`, e.g. `SECRETS_MANAGER`. */
  readonly endpointVariable?: string;
  readonly operation: string;
  /** What the call was about (secret id, stack name, security group id). */
  readonly resource?: string;
}

interface AwsErrorShape {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly attempts?: number };
}

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'AuthFailure',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
]);
const ACCESS_ERRORS = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'DecryptionFailure']);
const NOT_FOUND_ERRORS = new Set([
  'ResourceNotFoundException',
  'InvalidGroup.NotFound',
  'InvalidGroupId.NotFound',
  'InvalidSecurityGroupRuleId.NotFound',
]);
// The SDK's own list (@smithy/core retry), so that "throttled" here means what it means to the retry strategy.
const THROTTLING_ERRORS = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
]);
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function oneLine(text: string | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

function describeCall(call: AwsCall): string {
  return `${call.service} ${call.operation}${call.resource ? ` on ${call.resource}` : ''}`;
}

function isThrottling(e: AwsErrorShape): boolean {
  return e.$metadata?.httpStatusCode === 429 || THROTTLING_ERRORS.has(e.name ?? '');
}

function isNotFound(e: AwsErrorShape): boolean {
  if (NOT_FOUND_ERRORS.has(e.name ?? '')) return true;
  // CloudFormation reports a missing stack as a ValidationError.
  return e.name === 'ValidationError' && /does not exist/i.test(e.message ?? '');
}

/**
 * Turns an error thrown by an AWS SDK call into a one-line {@link OpsError} with its own exit code, or returns
 * `undefined` for errors that are not AWS's (those stay unexpected). Throttling errors reach here only after the SDK's
 * retry strategy gave up (`AWS_MAX_ATTEMPTS`, default 3).
 */
export function toAwsOpsError(err: unknown, call: AwsCall): OpsError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  if (err instanceof BudgetExceeded) {
    return new OpsError(
      `${describeCall(call)}: ${err.message}; check the network and AWS_ENDPOINT_URL_${call.endpointVariable ?? '<SERVICE>'}, or raise --timeout (ms)`,
      EXIT.timeout,
    );
  }
  if (err instanceof WriteUnanswered) {
    return new OpsError(
      `${describeCall(call)}: ${err.message}; check the network and AWS_ENDPOINT_URL_${call.endpointVariable ?? '<SERVICE>'}, or raise --timeout (ms)`,
      EXIT.timeout,
    );
  }
  const e = err as AwsErrorShape;
  const name = e.name ?? '';
  const what = describeCall(call);
  const detail = oneLine(e.message);

  if (/region is missing/i.test(detail)) {
    return new OpsError(`${what}: no AWS region configured; pass --region or set AWS_REGION`, EXIT.awsConfig);
  }
  if (CREDENTIAL_ERRORS.has(name) || /could not load credentials/i.test(detail)) {
    return new OpsError(
      `${what}: AWS credentials missing or rejected (${name}: ${detail}); set AWS_PROFILE or log in (aws sso login) and retry`,
      EXIT.awsConfig,
    );
  }
  if (ACCESS_ERRORS.has(name)) {
    const action = `${call.iamPrefix}:${call.operation}`;
    const kms = name === 'DecryptionFailure' ? ' and kms:Decrypt on the secret’s key' : '';
    return new OpsError(
      `${what}: access denied (${detail || name}); grant ${action}${kms} to this identity`,
      EXIT.awsAccessDenied,
    );
  }
  if (isNotFound(e)) {
    return new OpsError(
      `${what}: not found (${detail || name}); check --env, --region and that the stack is deployed in this account`,
      EXIT.awsNotFound,
    );
  }
  if (isThrottling(e)) {
    const attempts = e.$metadata?.attempts;
    return new OpsError(
      `${what}: throttled by AWS${attempts ? ` after ${attempts} attempts` : ''} (${name}); wait a minute and retry, or raise AWS_MAX_ATTEMPTS`,
      EXIT.awsThrottled,
    );
  }
  if (NETWORK_ERRORS.has(e.code ?? '') || name === 'TimeoutError') {
    return new OpsError(
      `${what}: cannot reach the ${call.service} endpoint (${e.code ?? name}); check the network, AWS_REGION and AWS_ENDPOINT_URL_* settings`,
      EXIT.awsOther,
    );
  }
  if (e.$metadata !== undefined) {
    return new OpsError(`${what}: AWS error ${name}: ${detail}`, EXIT.awsOther);
  }
  return undefined;
}

/** Runs one AWS SDK call, turning AWS errors into {@link OpsError}s. */
export async function awsCall<T>(call: AwsCall, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (err) {
    throw toAwsOpsError(err, call) ?? err;
  }
}
