/**
 * Exit codes of the operations scripts (`secret:sync`, `db:test`, `dev-access`). One table for all three, so that a
 * code means the same thing whichever script returned it; the README lists it.
 */
export const EXIT = {
  ok: 0,
  /** Anything not foreseen below: a bug or an environment problem; the message says what happened. */
  unexpected: 1,
  /** Bad command-line arguments, or input the command cannot use (outputs file, secret content, CA file). */
  invalidInput: 2,
  /** No AWS region, no credentials, or credentials AWS rejects. */
  awsConfig: 3,
  /** AWS refused the call: the identity lacks the IAM permission. */
  awsAccessDenied: 4,
  /** The stack, secret or security group does not exist in this account and region. */
  awsNotFound: 5,
  /** AWS kept throttling after the SDK's retries. */
  awsThrottled: 6,
  /** Any other AWS error, or the AWS endpoint could not be reached. */
  awsOther: 7,
  /** db:test: the host name does not resolve, or nothing accepts connections on that host and port. */
  unreachable: 10,
  /** No answer within the command's time budget (--timeout): an AWS endpoint, or db:test's database. */
  timeout: 11,
  /** db:test: TLS negotiation failed: untrusted or mismatched certificate, or a server without TLS. */
  tls: 12,
  /** db:test: the server rejected the user name or password, or has no pg_hba entry for this connection. */
  auth: 13,
  /** db:test: the server refused for another reason (database missing, too many connections, shutting down). */
  server: 14,
  /** secret:sync: the value read back after writing differs from the value written. */
  readBackMismatch: 20,
  /** dev-access: the environment does not allow ingress from individual addresses (staging, prod). */
  environmentRefused: 30,
  /** dev-access: `--ip auto` could not learn this machine's public address. */
  addressLookup: 31,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * An expected failure: its message is one line a person can act on (what, the value received, the fix) and it never
 * contains a secret. The scripts print the message, without a stack trace, and exit with `exitCode`.
 */
export class OpsError extends Error {
  override readonly name = 'OpsError';

  constructor(
    message: string,
    readonly exitCode: Exclude<ExitCode, 0>,
  ) {
    super(message);
  }
}

export function isOpsError(err: unknown): err is OpsError {
  return err instanceof OpsError;
}

/** The message of anything thrown, without its stack. */
export function errorMessage(err: unknown): string {
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(err);
}
