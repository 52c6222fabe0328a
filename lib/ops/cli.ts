import { EXIT, ExitCode, OpsError, errorMessage } from './errors';
import { DEFAULT_BUDGET_MS } from './aws-clients';
import { Redactor } from './redact';

/** How a script prints: one call per line. The entry points in scripts/ pass their own stdout and stderr writers. */
export interface ScriptIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** What a script's main function gets: its arguments, and printing that masks every secret the redactor knows. */
export interface ScriptContext extends ScriptIo {
  readonly argv: readonly string[];
  readonly redactor: Redactor;
}

export interface Failure {
  readonly exitCode: Exclude<ExitCode, 0>;
  /** One line, secrets masked. */
  readonly message: string;
}

/** Thrown from yargs' `.fail()` so that argument errors get the invalid-input exit code and a pointer to --help. */
export function usageError(message: string | undefined, err: Error | undefined): never {
  throw new OpsError(`${oneLine(message ?? errorMessage(err))} (see --help)`, EXIT.invalidInput);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ').trim();
}

/** The exit code and the one-line message of anything a script's main function threw. */
export function describeFailure(err: unknown, redactor: Redactor): Failure {
  if (err instanceof OpsError) return { exitCode: err.exitCode, message: redactor.redact(oneLine(err.message)) };
  return { exitCode: EXIT.unexpected, message: redactor.redact(`unexpected error: ${oneLine(errorMessage(err))}`) };
}

/**
 * The one top-level handler of every operations script: runs `main`, prints expected failures as one line without a
 * stack trace, and returns the exit code. With `SPENDSENSE_DEBUG=1`, unexpected errors also print their stack (masked).
 */
export async function runScript(
  name: string,
  main: (ctx: ScriptContext) => Promise<void>,
  io: ScriptIo,
  argv: readonly string[],
  debug = false,
): Promise<number> {
  const redactor = new Redactor();
  const ctx: ScriptContext = {
    argv,
    redactor,
    out: (line) => io.out(redactor.redact(line)),
    err: (line) => io.err(redactor.redact(line)),
  };
  try {
    await main(ctx);
    return EXIT.ok;
  } catch (err) {
    const failure = describeFailure(err, redactor);
    io.err(`${name}: ${failure.message}`);
    if (debug && !(err instanceof OpsError) && err instanceof Error && err.stack) {
      io.err(redactor.redact(err.stack));
    }
    return failure.exitCode;
  }
}

/**
 * Runs `main` as this process's command: its arguments, `SPENDSENSE_DEBUG=1` for stacks of unexpected errors, and the
 * exit code `runScript` returns.
 */
export function runAsProcess(name: string, main: (ctx: ScriptContext) => Promise<void>, io: ScriptIo): void {
  void runScript(name, main, io, process.argv.slice(2), process.env.SPENDSENSE_DEBUG === '1').then((code) => {
    process.exitCode = code;
  });
}

/** The longest `--timeout` a script accepts: ten minutes. */
export const MAX_TIMEOUT_MS = 600_000;

/** `--timeout`: whole milliseconds from 1 to {@link MAX_TIMEOUT_MS}. */
export function parseTimeout(value: string): number {
  const ms = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!(ms >= 1 && ms <= MAX_TIMEOUT_MS)) {
    throw new OpsError(
      `timeout: got '${value}', expected a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`,
      EXIT.invalidInput,
    );
  }
  return ms;
}

/** The options of every command that calls AWS: its time budget and its region. */
export const AWS_COMMAND_OPTIONS = {
  timeout: {
    type: 'string',
    default: String(DEFAULT_BUDGET_MS),
    describe: 'time budget for all AWS calls of the command, in ms',
  },
  region: {
    type: 'string',
    describe: "AWS region (default: AWS_REGION or the AWS profile's, else the environment's)",
  },
} as const;
