#!/usr/bin/env node
/**
 * npm run bench [-- --runs 5 --sizes 3,30]
 *
 * Synthesis of the kit's stacks with no checks, with cdk-nag alone and with every kit check, each run in a fresh
 * process (built-in CloudFormation validation off). Prints medians of wall time and peak memory, and the ratios that
 * matter: what the kit adds over cdk-nag alone, and how time grows with the number of resources.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { synthesizeVariant, Variant, VARIANTS } from '../lib/bench/variants';
import { generateReport, synthesizeKit } from '../reports/generate';
import { DUMMY_AWS_ENV } from '../test/support/fakes/http';
import { FakePricing, snapshotItems } from '../test/support/fakes/pricing';

interface Sample {
  readonly variant: Variant;
  readonly environments: number;
  readonly resources: number;
  readonly ms: number;
  readonly maxRssMb: number;
}

/** Per process: synthesis runs to warm up, then runs timed (their median is the process' figure). */
const WARM_UPS = 2;
const TIMED = 5;

// The kit's own output stays free of the AWS SDK's Node 20 notice, here as in the other scripts.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const TSX = join(__dirname, '..', 'node_modules', '.bin', 'tsx');

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** One synthesis in a fresh process, so peak memory is that synthesis' own. */
function sample(variant: Variant, environments: number): Sample {
  const r = spawnSync(TSX, [__filename, '--worker', 'synth', '--variant', variant, '--envs', String(environments)], {
    encoding: 'utf8',
    env: { ...process.env, CDK_VALIDATION: 'false', CDK_DISABLE_CLI_TELEMETRY: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    throw new Error(
      `bench worker ${variant}/${environments} failed (exit ${r.status}): ${r.stderr.split('\n').slice(-3).join(' ')}`,
    );
  }
  return JSON.parse(line) as Sample;
}

/** In a fresh process: one in-process synthesis of the three stacks vs the whole report on snapshot prices. */
async function reportWorker(): Promise<void> {
  const timeOf = async (f: () => unknown): Promise<number> => {
    const started = process.hrtime.bigint();
    await f();
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  const synth = () => synthesizeKit();
  const report = () => generateReport({ pricing: 'snapshot' });
  for (let i = 0; i < WARM_UPS; i++) {
    synth();
    await report();
  }
  const synthMs: number[] = [];
  const reportMs: number[] = [];
  for (let i = 0; i < TIMED; i++) {
    synthMs.push(await timeOf(synth));
    reportMs.push(await timeOf(report));
  }
  process.stdout.write(`${JSON.stringify({ synthMs: median(synthMs), reportMs: median(reportMs) })}\n`);
}

/** A live report twice against a local Price List endpoint with an empty cache: requests per run. */
async function liveRequests(): Promise<{ first: number; distinct: number; second: number }> {
  const fake = new FakePricing(snapshotItems());
  const url = await fake.start();
  const saved = { ...process.env };
  const cacheDir = mkdtempSync(join(tmpdir(), 'spendsense-bench-cache-'));
  try {
    Object.assign(process.env, DUMMY_AWS_ENV, { AWS_ENDPOINT_URL_PRICING: url });
    await generateReport({ pricing: 'live', cacheDir });
    const firstPages = fake.requests.filter((r) => r.nextToken === undefined);
    const distinct = new Set(firstPages.map((r) => JSON.stringify([r.serviceCode, r.filters]))).size;
    const first = firstPages.length;
    fake.reset();
    await generateReport({ pricing: 'live', cacheDir });
    return { first, distinct, second: fake.requests.length };
  } finally {
    process.env = saved;
    rmSync(cacheDir, { recursive: true, force: true });
    await fake.stop();
  }
}

function worker(variant: Variant, environments: number): void {
  const outdir = mkdtempSync(join(tmpdir(), 'spendsense-bench-'));
  try {
    // Load and warm aws-cdk-lib, cdk-nag and the kit first: the figure is synthesis, not module loading or JIT.
    for (let i = 0; i < WARM_UPS; i++) synthesizeVariant(variant, environments, join(outdir, `warm-up-${i}`));
    const timed = Array.from({ length: TIMED }, (_, i) =>
      synthesizeVariant(variant, environments, join(outdir, `timed-${i}`)),
    );
    const m = { ...timed[0], ms: median(timed.map((t) => t.ms)) };
    const maxRssMb = process.resourceUsage().maxRSS / 1024;
    process.stdout.write(`${JSON.stringify({ ...m, maxRssMb })}\n`);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const argv = await yargs(hideBin(process.argv))
    .scriptName('npm run bench --')
    .option('runs', { type: 'number', default: 7, describe: 'runs per variant and size (median reported)' })
    .option('sizes', { type: 'string', default: '3,15,30', describe: 'numbers of environments to synthesize' })
    .option('worker', { choices: ['synth', 'report'] as const, hidden: true })
    .option('report', { type: 'boolean', default: true, describe: 'also time the report and count live requests' })
    .option('variant', { choices: VARIANTS, hidden: true })
    .option('envs', { type: 'number', hidden: true })
    .strict()
    .parseAsync();
  if (argv.worker === 'report') return reportWorker();
  if (argv.worker === 'synth') return worker(argv.variant!, argv.envs!);
  if (!Number.isInteger(argv.runs) || argv.runs < 1)
    throw new Error(`runs: got ${argv.runs}, expected a whole number of at least 1`);
  const sizes = argv.sizes.split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`sizes: got '${argv.sizes}', expected numbers such as 3,30`);

  const rows: { size: number; variant: Variant; resources: number; ms: number; mb: number }[] = [];
  for (const size of sizes) {
    const samples: Sample[] = [];
    // Interleave variants so drift on the machine hits them alike.
    for (let run = 0; run < argv.runs; run++) {
      for (const variant of VARIANTS) {
        process.stderr.write(`synth ${variant} x${size} run ${run + 1}/${argv.runs}\r`);
        samples.push(sample(variant, size));
      }
    }
    for (const variant of VARIANTS) {
      const mine = samples.filter((s) => s.variant === variant);
      rows.push({
        size,
        variant,
        resources: Math.max(...samples.map((s) => s.resources)),
        ms: median(mine.map((s) => s.ms)),
        mb: median(mine.map((s) => s.maxRssMb)),
      });
    }
  }
  process.stderr.write('\n');
  const at = (size: number, variant: Variant) => rows.find((r) => r.size === size && r.variant === variant)!;
  const lines = [
    `Synthesis, medians of ${argv.runs} runs (built-in CloudFormation validation off; each run is a fresh process that synthesizes ${WARM_UPS} times to load and warm the modules, then ${TIMED} times timed, their median its figure)`,
    '',
    '| environments | resources | variant | wall ms | peak MB | vs no checks | vs cdk-nag |',
    '| ---: | ---: | --- | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => {
      const bare = at(r.size, 'bare').ms;
      const nag = at(r.size, 'cdk-nag').ms;
      return `| ${r.size} | ${r.resources} | ${r.variant} | ${r.ms.toFixed(0)} | ${r.mb.toFixed(0)} | ${(r.ms / bare).toFixed(2)} | ${(r.ms / nag).toFixed(2)} |`;
    }),
    '',
  ];
  for (const size of sizes) {
    const overhead = at(size, 'kit').ms / at(size, 'cdk-nag').ms - 1;
    lines.push(
      `kit checks over cdk-nag alone at ${size} environments: ${(overhead * 100).toFixed(1)}% (target at most 10%): ${overhead <= 0.1 ? 'met' : 'missed'}`,
    );
  }
  if (sizes.length > 2) {
    // Linear growth: the middle size's time lies on the line through the smallest and largest, by resource count.
    const sorted = [...sizes].sort((x, y) => x - y);
    const [lo, hi] = [at(sorted[0], 'kit'), at(sorted[sorted.length - 1], 'kit')];
    for (const size of sorted.slice(1, -1)) {
      const mid = at(size, 'kit');
      const predicted = lo.ms + ((hi.ms - lo.ms) * (mid.resources - lo.resources)) / (hi.resources - lo.resources);
      lines.push(
        `kit time at ${size} environments vs the straight line through ${sorted[0]} and ${sorted[sorted.length - 1]}: ${(mid.ms / predicted).toFixed(2)} (1.00 is linear growth)`,
      );
    }
    const marginal = (hi.ms - lo.ms) / (hi.resources - lo.resources);
    lines.push(`kit marginal cost: ${marginal.toFixed(2)} ms per resource`);
  }
  if (argv.report) {
    const samples: { synthMs: number; reportMs: number }[] = [];
    for (let run = 0; run < argv.runs; run++) {
      process.stderr.write(`report run ${run + 1}/${argv.runs}\r`);
      const r = spawnSync(TSX, [__filename, '--worker', 'report'], {
        encoding: 'utf8',
        env: { ...process.env, CDK_VALIDATION: 'false' },
      });
      const line = r.stdout.trim().split('\n').pop() ?? '';
      if (r.status !== 0 || !line.startsWith('{'))
        throw new Error(`report worker failed (exit ${r.status}): ${r.stderr}`);
      samples.push(JSON.parse(line) as { synthMs: number; reportMs: number });
    }
    process.stderr.write('\n');
    const synthMs = median(samples.map((x) => x.synthMs));
    const reportMs = median(samples.map((x) => x.reportMs));
    const ratio = reportMs / synthMs;
    const live = await liveRequests();
    lines.push(
      '',
      `Report, three environments on snapshot prices: ${reportMs.toFixed(0)} ms vs ${synthMs.toFixed(0)} ms for one synthesis: ${ratio.toFixed(2)}x (target at most 1.2x): ${ratio <= 1.2 ? 'met' : 'missed'}`,
      `Live report against a local Price List endpoint: ${live.first} requests for ${live.distinct} distinct price dimensions (${live.first === live.distinct ? 'one each' : 'NOT one each'}); a second run within the cache TTL: ${live.second} requests`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
