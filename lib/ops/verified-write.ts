import { OpsError, errorMessage } from './errors';

/** How a write's outcome became known: from its own answer, or from reading the state after the answer was lost. */
export type Confirmation = 'answer' | 'state';

export interface VerifiedWrite<T> {
  /** The write. Its AWS errors must already be {@link OpsError}s (see `awsCall`); anything else is a bug, rethrown. */
  readonly write: () => Promise<T>;
  /**
   * Reads the state after the write failed: the outcome the state shows when the write's effect is there (applied by
   * this attempt, an earlier attempt whose answer was lost, or a parallel run), `undefined` when it is not.
   */
  readonly reread: () => Promise<T | undefined>;
  /** How a person checks the state by hand when it cannot be read either, e.g. `npm run dev-access -- --list`. */
  readonly checkWith: string;
}

/**
 * Runs a write whose answer can be lost or misleading (a timeout, a dropped connection, a 5xx, or the SDK's retry of
 * an attempt that had in fact succeeded, answered "duplicate" or "not found") and, when it fails, reads the state back
 * and reports what is there instead of what the last answer said. Fails with the write's own error when the state
 * shows the write did not take effect, and says so; fails naming both when the state cannot be read either.
 */
export async function verifiedWrite<T>(o: VerifiedWrite<T>): Promise<{ value: T; confirmed: Confirmation }> {
  let failure: OpsError;
  try {
    return { value: await o.write(), confirmed: 'answer' };
  } catch (err) {
    if (!(err instanceof OpsError)) throw err;
    failure = err;
  }
  let seen: T | undefined;
  try {
    seen = await o.reread();
  } catch (err) {
    throw new OpsError(
      `${failure.message}; reading the state back failed too (${errorMessage(err)}), so whether the change took effect is unknown: check with ${o.checkWith}`,
      failure.exitCode,
    );
  }
  if (seen === undefined) {
    throw new OpsError(`${failure.message}; read back: the change did not take effect`, failure.exitCode);
  }
  return { value: seen, confirmed: 'state' };
}
