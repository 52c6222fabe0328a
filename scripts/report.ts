/**
 * npm run report -- [--env dev,staging,prod] [--pricing auto|live|snapshot] [--out DIR] [--format md,json]
 *                   [--check] [--strict] [--refresh] [--usage FILE] [-c key=value ...]
 *
 * Per-environment monthly cost and security summary, as markdown and JSON. Exit codes: reports/errors.ts (README).
 */
import yargs from 'yargs';
import { PRICING_MODES, PricingMode } from '../lib/pricing/quotes';
import { readUsageFile } from '../lib/pricing/usage';
import { ENVIRONMENT_NAMES, EnvironmentName } from '../lib/profiles';
import { ReportInputError, reportUsageError } from '../reports/context';
import { describeReportFailure, REPORT_EXIT, ReportOutcomeError } from '../reports/errors';
import { checkReportFiles, writeReportFiles } from '../reports/files';
import { generateReport } from '../reports/generate';
import { REPORT_FORMATS, ReportFormat } from '../reports/model';

function list<T extends string>(option: string, value: string | undefined, allowed: readonly T[]): T[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  const bad = items.filter((v) => !(allowed as readonly string[]).includes(v));
  if (items.length === 0 || bad.length > 0) {
    throw new ReportInputError(`--${option} ${value}: expected a comma-separated list of ${allowed.join(', ')}`);
  }
  return [...new Set(items)] as T[];
}

async function main(argv: readonly string[], progress: (line: string) => void): Promise<void> {
  const args = await yargs([...argv])
    .scriptName('npm run report --')
    .usage(
      '$0 [--env dev,staging,prod] [--pricing auto|live|snapshot] [--out DIR] [--format md,json] [--check] [--strict] [--refresh] [--usage FILE] [-c key=value ...]\n\n' +
        'Synthesizes the app in-process as `cdk synth` does, prices each environment and writes DIR/<env>.md, ' +
        'DIR/SUMMARY.md and DIR/report.json.',
    )
    .options({
      env: { type: 'string', describe: 'comma-separated environments (default: every synthesized one)' },
      pricing: {
        choices: PRICING_MODES,
        describe: 'auto: live when AWS credentials resolve, else the snapshot (default; snapshot with --check)',
      },
      out: { type: 'string', default: 'reports', describe: 'output directory' },
      format: { type: 'string', default: 'md,json', describe: 'comma-separated formats: md, json' },
      check: {
        type: 'boolean',
        default: false,
        describe: 'regenerate and compare with DIR; exit 9 naming out-of-date files; writes nothing',
      },
      strict: { type: 'boolean', default: false, describe: 'exit 8 when any line is unpriced' },
      refresh: { type: 'boolean', default: false, describe: 'ignore cached Price List answers' },
      usage: { type: 'string', requiresArg: true, describe: 'JSON file overriding the usage assumptions' },
      c: { alias: 'context', type: 'string', requiresArg: true, describe: 'context key=value, as cdk synth -c' },
    })
    .strict()
    .version(false)
    .help()
    .fail(reportUsageError)
    .parseAsync();

  const context = ([] as (string | undefined)[])
    .concat(args.c as string | string[] | undefined)
    .filter((v): v is string => v !== undefined);
  if (args.check && args.pricing !== undefined && args.pricing !== 'snapshot') {
    throw new ReportInputError(
      `--check compares with reports generated from the snapshot; drop --pricing ${args.pricing}`,
    );
  }
  const pricing: PricingMode = args.pricing ?? (args.check ? 'snapshot' : 'auto');
  const report = await generateReport({
    environments: list<EnvironmentName>('env', args.env, ENVIRONMENT_NAMES),
    formats: list<ReportFormat>('format', args.format, REPORT_FORMATS),
    pricing,
    context,
    usage: args.usage === undefined ? undefined : readUsageFile(args.usage),
    refresh: args.refresh,
    onProgress: progress,
  });
  if (report.pricing.note) progress(`prices from the snapshot: ${report.pricing.note}`);
  if (report.pricing.used === 'live') progress(`${report.pricing.requests} Price List requests`);

  const totals = report.model.environments.map((e) => `${e.name} $${e.monthlyCostUsd.toFixed(2)}`).join(', ');
  if (args.check) {
    progress(`comparing with ${args.out}`);
    const outcome = checkReportFiles(args.out, report.files);
    if (outcome.outdated.length > 0) {
      throw new ReportOutcomeError(
        `out of date: ${outcome.outdated.join(', ')}; run npm run report and commit them (fresh copies in ${outcome.freshDir})`,
        REPORT_EXIT.outOfDate,
      );
    }
    console.log(`report: ${report.files.length} files in ${args.out} are up to date (${totals} a month)`);
  } else {
    progress(`writing ${report.files.length} files to ${args.out}`);
    writeReportFiles(args.out, report.files);
    console.log(
      `report: wrote ${report.files.map((f) => f.name).join(', ')} to ${args.out} (${report.model.pricing.source} prices; ${totals} a month)`,
    );
  }
  if (report.model.pricing.fellBack > 0) {
    console.error(
      `report: warning: ${report.model.pricing.fellBack} line(s) fell back to the snapshot after a failed live request; the reports say which`,
    );
  }
  if (report.unpriced > 0 && !args.strict) {
    console.error(
      `report: warning: ${report.unpriced} line(s) unpriced and left out of the totals; see "Unpriced lines"`,
    );
  }
  if (args.strict && report.unpriced > 0) {
    throw new ReportOutcomeError(
      `--strict: ${report.unpriced} line${report.unpriced === 1 ? '' : 's'} unpriced; see the reports' "Unpriced lines"`,
      REPORT_EXIT.unpriced,
    );
  }
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const interactive = process.stderr.isTTY === true && !process.env.CI;
main(process.argv.slice(2), (line) => {
  if (interactive) console.error(`report: ${line}...`);
}).then(
  () => {
    process.exitCode = REPORT_EXIT.ok;
  },
  (err: unknown) => {
    const failure = describeReportFailure(err);
    failure.lines.forEach((l) => console.error(l));
    if (failure.exitCode === REPORT_EXIT.unexpected && process.env.SPENDSENSE_DEBUG === '1' && err instanceof Error) {
      console.error(err.stack);
    }
    process.exitCode = failure.exitCode;
  },
);
