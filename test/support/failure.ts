import { OpsError } from '../../lib/ops/errors';

/** The OpsError `promise` rejects with; any other outcome fails the test. */
export async function opsFailure(promise: Promise<unknown>): Promise<OpsError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof OpsError) return err;
    throw err;
  }
  throw new Error('expected a failure, got success');
}
