#!/usr/bin/env node
/**
 * `spendsense-verify --environment prod [--assembly cdk.out] [--date YYYY-MM-DD] [STACK ...]`: judges a cloud assembly
 * with the kit's rules in a process of its own, as a pipeline does before it deploys it (docs/policy-gate.md).
 * Exit 0 when nothing blocks, 1 when something does, 2 for a usage error or an assembly it cannot read.
 */
import { parseArgs } from 'node:util';
import { isIsoDate } from '../aspects/acknowledgements';
import { clockToday, COMPLIANCE_DATE_ENV } from '../aspects/compliance';
import { blocking } from '../aspects/engine';
import { AssemblyError, verdictOf, verifyAssembly } from '../aspects/verify';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../lib/profiles';

const USAGE =
  'usage: spendsense-verify --environment dev|staging|prod [--assembly cdk.out] [--date YYYY-MM-DD] [STACK ...]';

function usage(message: string): never {
  process.stderr.write(`spendsense-verify: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function main(): number {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        environment: { type: 'string' },
        assembly: { type: 'string', default: 'cdk.out' },
        date: { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    usage((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const environment = values.environment;
  if (!environment || !(ENVIRONMENT_NAMES as readonly string[]).includes(environment)) {
    usage(
      `--environment: got '${environment ?? ''}', expected one of ${ENVIRONMENT_NAMES.join(', ')} (--environment prod)`,
    );
  }
  // The latest of today and every date given counts: a later date only ever expires more acknowledgements.
  let today = clockToday();
  for (const [what, value] of [
    ['--date', values.date],
    [COMPLIANCE_DATE_ENV, process.env[COMPLIANCE_DATE_ENV]],
  ] as const) {
    if (value === undefined || value === '') continue;
    if (!isIsoDate(value)) usage(`${what}: got '${value}', expected a date YYYY-MM-DD (--date 2026-11-25)`);
    if (value > today) today = value;
  }
  let verification;
  try {
    verification = verifyAssembly(values.assembly, {
      environment: environment as EnvironmentName,
      stacks: positionals,
      today,
    });
  } catch (error) {
    if (!(error instanceof AssemblyError)) throw error;
    usage(`--assembly ${values.assembly}: ${error.message}`);
  }
  for (const problem of verification.problems) process.stderr.write(`ERROR ${problem}\n`);
  for (const s of verification.stacks) {
    for (const r of blocking(s.results)) {
      process.stderr.write(
        `ERROR [${r.judgedIn ?? s.environment}] ${r.ruleId} ${r.status === 'cannot-verify' ? 'cannot verify' : 'failed'}: ${r.title}. Found: ${r.evidence}.\n` +
          `   ${r.constructPath} (${r.logicalId || 'template'}) ${r.resourceType}\n   Suggested fix: ${r.fix}\n`,
      );
    }
  }
  const verdict = verdictOf(verification);
  process.stderr.write(`${verdict.summary}\n`);
  return verdict.blocking > 0 ? 1 : 0;
}

try {
  process.exitCode = main();
} catch (error) {
  process.stderr.write(`spendsense-verify: unexpected error: ${(error as Error).message}\n`);
  if (process.env.SPENDSENSE_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
  process.exitCode = 3;
}
