/**
 * Exit codes of `npm run report` and the one-line message of each expected failure. Codes 2-7 mean what they mean for
 * the operations scripts (lib/ops/errors.ts).
 */
import { ComplianceConfigError } from '../aspects/compliance';
import { ConfigError } from '../lib/config';
import { toAwsOpsError } from '../lib/ops/aws-errors';
import { EXIT } from '../lib/ops/errors';
import { LivePricingError } from '../lib/pricing/quotes';
import { SnapshotError } from '../lib/pricing/snapshot';
import { UsageError } from '../lib/pricing/usage';
import { ReportInputError } from './context';

export const REPORT_EXIT = {
  ok: EXIT.ok,
  /** A bug or an environment problem; the message says what happened. */
  unexpected: EXIT.unexpected,
  /** Bad arguments, invalid `-c` configuration (as `cdk synth`), an unusable usage file or price snapshot. */
  invalidInput: EXIT.invalidInput,
  /** `--pricing live` and no AWS credentials resolve, or AWS rejects them. */
  awsCredentials: EXIT.awsConfig,
  /** `--pricing live` and the identity may not call pricing:GetProducts. */
  awsAccessDenied: EXIT.awsAccessDenied,
  /** `--pricing live` and AWS kept throttling after the SDK's retries. */
  awsThrottled: EXIT.awsThrottled,
  /** `--pricing live` and the Pricing endpoint could not be reached, or another AWS error. */
  awsOther: EXIT.awsOther,
  /** `--strict` and at least one line is unpriced (the reports are still written). */
  unpriced: 8,
  /** `--check` and a committed report differs from the regenerated one. */
  outOfDate: 9,
  /** `--diff --fail-on-increase` and the monthly cost grows beyond the threshold. */
  costIncrease: 10,
} as const;

/** Thrown by the CLI for `--strict` and `--check` outcomes. */
export class ReportOutcomeError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'ReportOutcomeError';
  }
}

export interface ReportFailure {
  readonly exitCode: number;
  /** Lines to print; one per problem, no stack trace. */
  readonly lines: readonly string[];
}

const SYSTEM_CODE = /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT)\b/;

/**
 * The SDK's retry middleware re-wraps an error that is not an `Error` of its own realm ("AWS SDK error wrapper for
 * Error: connect ECONNREFUSED ..."), dropping its `code`; recover the system code from the message.
 */
function withSystemCode(cause: unknown): unknown {
  const e = cause as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object' || e.code !== undefined || typeof e.message !== 'string') return cause;
  const m = SYSTEM_CODE.exec(e.message);
  return m ? Object.assign(Object.create(e) as object, { code: m[1], message: e.message }) : cause;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ').trim();
}

/** The exit code and message of anything `generateReport` or the CLI threw. */
export function describeReportFailure(err: unknown): ReportFailure {
  if (err instanceof ConfigError) {
    return {
      exitCode: REPORT_EXIT.invalidInput,
      lines: ['SpendSense: invalid configuration, nothing synthesized:', ...err.problems.map((p) => `  ${p}`)],
    };
  }
  if (err instanceof ComplianceConfigError) {
    return {
      exitCode: REPORT_EXIT.invalidInput,
      lines: ['SpendSense: invalid configuration, nothing synthesized:', `  ${err.message}`],
    };
  }
  if (err instanceof UsageError) {
    return { exitCode: REPORT_EXIT.invalidInput, lines: err.problems.map((p) => `report: ${p}`) };
  }
  if (err instanceof ReportInputError || err instanceof SnapshotError) {
    return { exitCode: REPORT_EXIT.invalidInput, lines: [`report: ${oneLine(err.message)}`] };
  }
  if (err instanceof ReportOutcomeError) return { exitCode: err.exitCode, lines: [`report: ${oneLine(err.message)}`] };
  if (err instanceof LivePricingError) {
    if (err.cause === undefined) return { exitCode: REPORT_EXIT.awsCredentials, lines: [`report: ${err.message}`] };
    const ops = toAwsOpsError(withSystemCode(err.cause), {
      service: 'Pricing',
      iamPrefix: 'pricing',
      operation: 'GetProducts',
      resource: err.request,
    });
    if (ops)
      return { exitCode: ops.exitCode, lines: [`report: ${oneLine(ops.message)} (--pricing live; no fallback)`] };
    return { exitCode: REPORT_EXIT.awsOther, lines: [`report: ${oneLine(err.message)} (--pricing live; no fallback)`] };
  }
  const message = (err as { message?: unknown } | null)?.message;
  return {
    exitCode: REPORT_EXIT.unexpected,
    lines: [`report: unexpected error: ${oneLine(typeof message === 'string' ? message : String(err))}`],
  };
}
