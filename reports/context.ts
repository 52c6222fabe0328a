/**
 * The app context exactly as `cdk synth` builds it. The CLI (aws-cdk 2.1148, `Configuration.loadConfigFiles`) looks a
 * key up in the command line's `-c key=value` first (values are strings), then `context` of cdk.json, then
 * cdk.context.json, then `context` of ~/.cdk.json: the first source that has the key wins.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Raised for command-line input the report cannot use; the CLI exits 2. */
export class ReportInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportInputError';
  }
}

/** For yargs' `.fail()`: argument errors become one line pointing at --help, with the invalid-input exit code. */
export function reportUsageError(message: string | undefined, err: Error | undefined): never {
  throw new ReportInputError(`${message ?? err?.message ?? 'invalid arguments'} (see --help)`);
}

function readJsonObject(path: string): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ReportInputError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ReportInputError(`${path}: expected a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Parses `-c key=value` arguments (the value may contain `=`). */
export function parseContextArgs(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of args) {
    const i = arg.indexOf('=');
    if (i <= 0) throw new ReportInputError(`-c ${arg}: expected key=value, such as -c environment=prod`);
    out[arg.slice(0, i)] = arg.slice(i + 1);
  }
  return out;
}

/** The context key the CDK CLI sets so that templates record each resource's construct path. */
export const PATH_METADATA_CONTEXT = 'aws:cdk:enable-path-metadata';

export function cdkContext(projectDir: string, contextArgs: readonly string[]): Record<string, unknown> {
  const cdkJson = readJsonObject(join(projectDir, 'cdk.json'));
  const fromCdkJson = cdkJson?.context;
  if (fromCdkJson !== undefined && (typeof fromCdkJson !== 'object' || fromCdkJson === null)) {
    throw new ReportInputError(`${join(projectDir, 'cdk.json')}: "context" must be an object`);
  }
  const home = process.env.HOME ?? process.env.USERPROFILE;
  const userContext = home ? readJsonObject(join(home, '.cdk.json'))?.context : undefined;
  return {
    // What the CDK CLI adds to every synth: resources carry their construct path in the template's metadata.
    [PATH_METADATA_CONTEXT]: true,
    ...(userContext !== null && typeof userContext === 'object' ? (userContext as Record<string, unknown>) : {}),
    ...(readJsonObject(join(projectDir, 'cdk.context.json')) ?? {}),
    ...((fromCdkJson as Record<string, unknown> | undefined) ?? {}),
    ...parseContextArgs(contextArgs),
  };
}
