/**
 * npm run report -- [--env dev,staging,prod] [--pricing auto|live|snapshot] [--out DIR] [--format md,json]
 *                   [--check] [--diff [BASE] [--fail-on-increase USD|N%]] [--strict] [--refresh] [--usage FILE]
 *                   [-c key=value ...]
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
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ReportDocument, diffReports, exceeding, parseThreshold } from '../reports/diff';
import { loadDiffBase } from '../reports/diff-base';
import { REPORT_JSON } from '../reports/generate';
import { reportJson } from '../reports/render-json';
import { renderDiffJson, renderDiffMarkdown } from '../reports/render-diff';

/** Where the committed reports live, which a diff compares with by default. */
const COMMITTED_REPORTS = 'reports';
const DIFF_MD = 'diff.md';
const DIFF_JSON = 'diff.json';

/** The report.json text of a model, as the files hold it. */
function reportJsonText(model: Parameters<typeof reportJson>[0]): string {
  return JSON.stringify(reportJson(model));
}

/** True when the command line names --out (its default is the committed reports/). */
function outGiven(argv: readonly string[]): boolean {
  return argv.some((a) => a === '--out' || a.startsWith('--out='));
}

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
      diff: {
        type: 'string',
        describe:
          'print the cost and posture change against BASE: a directory with report.json or a git ref (default: the committed reports at the merge base); with --out, also DIR/diff.md and DIR/diff.json',
      },
      'fail-on-increase': {
        type: 'string',
        requiresArg: true,
        describe: 'with --diff: exit 10 when an environment or the total grows by more than USD a month, or N%',
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
  if (args.diff !== undefined && args.check) throw new ReportInputError('--diff and --check: give one');
  const threshold = args.failOnIncrease === undefined ? undefined : parseThreshold(args.failOnIncrease);
  if (args.failOnIncrease !== undefined && (args.diff === undefined || threshold === undefined)) {
    throw new ReportInputError(
      args.diff === undefined
        ? '--fail-on-increase: only with --diff'
        : `--fail-on-increase ${args.failOnIncrease}: expected USD a month (50, 12.5) or a percentage (10%)`,
    );
  }
  const partial = [
    args.env !== undefined ? `--env ${args.env}` : undefined,
    context.find((c) => c.startsWith('environment='))
      ? `-c ${context.find((c) => c.startsWith('environment='))}`
      : undefined,
    args.format !== 'md,json' ? `--format ${args.format}` : undefined,
  ].filter((p): p is string => p !== undefined);
  if (partial.length > 0 && !args.check && args.diff === undefined && !outGiven(argv)) {
    throw new ReportInputError(
      `${partial.join(' ')}: a partial report would overwrite the committed ${COMMITTED_REPORTS}/ (every environment, md and json); pass --out DIR, e.g. --out /tmp/spendsense-report`,
    );
  }
  // A diff compares like with like: the committed reports are priced from the snapshot.
  const pricing: PricingMode = args.pricing ?? (args.check || args.diff !== undefined ? 'snapshot' : 'auto');
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
  const fresh = JSON.parse(reportJsonText(report.model)) as ReportDocument;
  const diffOptions = (label: string) => ({
    baseLabel: label,
    today: report.complianceDate,
    restrictedTo:
      args.env !== undefined || context.some((c) => c.startsWith('environment='))
        ? fresh.environments.map((e) => e.name)
        : undefined,
  });
  if (args.diff !== undefined) {
    const base = loadDiffBase(args.diff === '' ? undefined : args.diff, COMMITTED_REPORTS);
    const diff = diffReports(base.document, fresh, diffOptions(base.label));
    const markdown = renderDiffMarkdown(diff);
    process.stdout.write(markdown);
    if (outGiven(argv)) {
      writeReportFiles(args.out, [
        { name: DIFF_MD, content: markdown },
        { name: DIFF_JSON, content: renderDiffJson(diff) },
      ]);
      console.error(`report: wrote ${DIFF_MD} and ${DIFF_JSON} to ${args.out}`);
    }
    const over = threshold ? exceeding(diff, threshold) : [];
    if (over.length > 0) {
      throw new ReportOutcomeError(
        `--fail-on-increase ${args.failOnIncrease}: monthly cost grows beyond it: ${over.join('; ')}`,
        REPORT_EXIT.costIncrease,
      );
    }
    return;
  }
  if (args.check) {
    progress(`comparing with ${args.out}`);
    const outcome = checkReportFiles(args.out, report.files);
    if (outcome.outdated.length > 0) {
      const committed = join(args.out, REPORT_JSON);
      if (existsSync(committed)) {
        const base = loadDiffBase(args.out, args.out);
        process.stderr.write(
          renderDiffMarkdown(diffReports(base.document, fresh, diffOptions(`the reports in ${args.out}`))),
        );
      }
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
