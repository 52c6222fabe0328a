/**
 * npm run pricing:snapshot -- [--out FILE] [--checked YYYY-MM-DD]
 *
 * Refreshes every record of the bundled price snapshot from the live Price List Query API (AWS credentials needed).
 */
import yargs from 'yargs';
import { LivePriceList } from '../lib/pricing/live';
import { loadSnapshot, SNAPSHOT_PATH } from '../lib/pricing/snapshot';
import { refreshSnapshot, writeSnapshot } from '../lib/pricing/snapshot-refresh';
import { ReportInputError, reportUsageError } from '../reports/context';
import { describeReportFailure, REPORT_EXIT, ReportOutcomeError } from '../reports/errors';

async function main(argv: readonly string[]): Promise<void> {
  const args = await yargs([...argv])
    .scriptName('npm run pricing:snapshot --')
    .usage(
      '$0 [--out FILE] [--checked YYYY-MM-DD]\n\nAsks the AWS Price List Query API for every record of the snapshot again ' +
        'and writes the answers (SKUs included), atomically.',
    )
    .options({
      in: { type: 'string', default: SNAPSHOT_PATH, describe: 'snapshot to refresh' },
      out: { type: 'string', describe: 'where to write (default: over --in)' },
      checked: { type: 'string', describe: 'the check date recorded in each refreshed record (default: today, UTC)' },
    })
    .strict()
    .version(false)
    .help()
    .fail(reportUsageError)
    .parseAsync();
  const checked = args.checked ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(checked)) {
    throw new ReportInputError(`--checked ${checked}: expected a date YYYY-MM-DD`);
  }
  const current = loadSnapshot(args.in);
  const live = await LivePriceList.create();
  try {
    const outcome = await refreshSnapshot(current, live, checked);
    const out = args.out ?? args.in;
    writeSnapshot(out, outcome.snapshot);
    console.log(
      `pricing:snapshot: refreshed ${outcome.refreshed} of ${current.records.length} records from the Price List (${outcome.requests} requests), wrote ${out}`,
    );
    for (const k of outcome.kept) {
      console.error(`pricing:snapshot: kept ${k.regionCode} ${k.usageType} as it was: ${k.reason}`);
    }
    if (outcome.kept.length > 0) {
      throw new ReportOutcomeError(
        `${outcome.kept.length} record${outcome.kept.length === 1 ? '' : 's'} not refreshed (listed above)`,
        REPORT_EXIT.unpriced,
      );
    }
  } finally {
    live.destroy();
  }
}

main(process.argv.slice(2)).then(
  () => {
    process.exitCode = REPORT_EXIT.ok;
  },
  (err: unknown) => {
    const failure = describeReportFailure(err);
    failure.lines.forEach((l) => console.error(l.replace(/^report:/, 'pricing:snapshot:')));
    process.exitCode = failure.exitCode;
  },
);
