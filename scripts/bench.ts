#!/usr/bin/env node
/**
 * npm run bench [-- --runs 5 --sizes 3,30 --cold-runs 5]
 *
 * Synthesis of the kit's stacks with no checks, with cdk-nag alone and with every kit check, in two ways:
 * - warm, in-process: each run a fresh process of the compiled kit that synthesizes every variant a few times before
 *   timing them in alternating rounds (built-in CloudFormation validation off), at several sizes; medians of wall and
 *   CPU time, each run's own ratios, and peak memory from fresh processes;
 * - cold, whole-process: `npx cdk synth` of the three environments as a user runs it, the kit's own app against the
 *   same stacks under cdk-nag alone and with no checks, same CLI and settings, variants alternating; medians of wall
 *   and CPU time, with built-in validation as shipped (on) and with `--no-validation`.
 * Prints the ratios that matter: what the kit adds over cdk-nag alone and over no checks, and how time grows.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { Variant, VARIANTS } from '../bench/variants';
import { median, MemorySample, PairedSample, synthCounts, TIMED, WARM_UPS } from '../bench/worker';
import { generateReport, synthesizeKit } from '../reports/generate';
import { DUMMY_AWS_ENV } from '../test/support/fakes/http';
import { FakePricing, snapshotItems } from '../test/support/fakes/pricing';

const ROOT = join(__dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** Fresh processes per variant for peak memory: a shared process' peak would be the largest variant's. */
const MEMORY_RUNS = 3;

/** A fresh process of the compiled kit's bench worker; its last output line, parsed. */
function worker<T>(args: string[]): T {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'bench', 'worker.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, CDK_VALIDATION: 'false', CDK_DISABLE_CLI_TELEMETRY: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    throw new Error(
      `bench worker ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.split('\n').slice(-3).join(' ')}`,
    );
  }
  return JSON.parse(line) as T;
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

interface ColdSample {
  readonly variant: Variant;
  readonly validation: boolean;
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** The app command of cdk.json, and the same command (same node flags) running the bench's app for a variant. */
function appCommand(variant: Variant): string {
  const kitApp = (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { app: string }).app;
  if (!kitApp.endsWith('dist/bin/app.js'))
    throw new Error(`cdk.json: app: got '${kitApp}', expected '... dist/bin/app.js'`);
  return variant === 'kit' ? kitApp : kitApp.replace(/dist\/bin\/app\.js$/, `dist/bench/cold-app.js ${variant}`);
}

/**
 * `npx cdk synth -q` of the three environments in a fresh output directory, timed by bash's `time`, whose user and
 * system figures include every process the CLI starts (the app among them).
 */
function coldSample(variant: Variant, validation: boolean): ColdSample {
  const outdir = mkdtempSync(join(tmpdir(), 'spendsense-bench-cold-'));
  const stderr = join(outdir, 'stderr.txt');
  try {
    const args = ['cdk', 'synth', '-q', '--app', appCommand(variant), '--output', join(outdir, 'cdk.out')];
    if (!validation) args.push('--no-validation');
    const env: NodeJS.ProcessEnv = { ...process.env, BENCH_STDERR: stderr, CDK_DISABLE_CLI_TELEMETRY: '1' };
    delete env.CDK_VALIDATION; // the CLI option decides, as for a user
    const r = spawnSync(
      'bash',
      ['-c', 'TIMEFORMAT="%R %U %S"; { time "$@" >/dev/null 2>"$BENCH_STDERR"; } 2>&1', 'bench', 'npx', ...args],
      { cwd: ROOT, encoding: 'utf8', env },
    );
    const [real, user, sys] = (r.stdout.trim().split('\n').pop() ?? '').split(' ').map(Number);
    if (r.status !== 0 || [real, user, sys].some((n) => !Number.isFinite(n))) {
      const tail = readFileSync(stderr, 'utf8').trim().split('\n').slice(-3).join(' ');
      throw new Error(`npx cdk synth of the ${variant} variant failed (exit ${r.status}): ${tail}`);
    }
    return { variant, validation, wallMs: real * 1000, cpuMs: (user + sys) * 1000 };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Medians of cold runs, variants alternating, for both built-in validation settings; the lines to print. */
function coldFigures(runs: number): string[] {
  const samples: ColdSample[] = [];
  for (let run = 0; run < runs; run++) {
    for (const validation of [true, false]) {
      for (const variant of VARIANTS) {
        process.stderr.write(`npx cdk synth ${variant} run ${run + 1}/${runs}\r`);
        samples.push(coldSample(variant, validation));
      }
    }
  }
  process.stderr.write('\n');
  const figure = (variant: Variant, validation: boolean) => {
    const mine = samples.filter((x) => x.variant === variant && x.validation === validation);
    return { wall: median(mine.map((x) => x.wallMs)), cpu: median(mine.map((x) => x.cpuMs)) };
  };
  const lines = [
    `Whole process: \`npx cdk synth\` of the three environments, medians of ${runs} runs per variant, variants alternating (CPU is user and system time of the CLI and the app together)`,
    '',
    '| built-in validation | variant | wall s | CPU s | CPU vs no checks | CPU vs cdk-nag |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const validation of [true, false]) {
    for (const variant of VARIANTS) {
      const f = figure(variant, validation);
      lines.push(
        `| ${validation ? 'on (as shipped)' : 'off (--no-validation)'} | ${variant} | ${(f.wall / 1000).toFixed(2)} | ${(f.cpu / 1000).toFixed(2)} | ${(f.cpu / figure('bare', validation).cpu).toFixed(2)} | ${(f.cpu / figure('cdk-nag', validation).cpu).toFixed(2)} |`,
      );
    }
  }
  lines.push('');
  const target = (label: string, ratio: number, limit: number) =>
    `${label}: ${ratio.toFixed(2)}x (target at most ${limit.toFixed(2)}x): ${ratio <= limit ? 'met' : 'missed'}`;
  const kit = figure('kit', true).cpu;
  lines.push(
    target('npx cdk synth, kit CPU vs cdk-nag alone, as shipped', kit / figure('cdk-nag', true).cpu, 1.1),
    target('npx cdk synth, kit CPU vs no checks, as shipped', kit / figure('bare', true).cpu, 1.15),
    `npx cdk synth with --no-validation: kit CPU ${(figure('kit', false).cpu / figure('cdk-nag', false).cpu).toFixed(2)}x cdk-nag alone, ${(figure('kit', false).cpu / figure('bare', false).cpu).toFixed(2)}x no checks; built-in validation costs the kit's synth ${((kit - figure('kit', false).cpu) / 1000).toFixed(2)} s of CPU and ${((figure('kit', true).wall - figure('kit', false).wall) / 1000).toFixed(2)} s of wall time`,
  );
  return lines;
}

async function main(): Promise<void> {
  const argv = await yargs(hideBin(process.argv))
    .scriptName('npm run bench --')
    .option('runs', { type: 'number', default: 7, describe: 'runs per variant and size (median reported)' })
    .option('sizes', { type: 'string', default: '3,15,30', describe: 'numbers of environments to synthesize' })
    .option('cold-runs', {
      type: 'number',
      default: 5,
      describe: 'whole-process npx cdk synth runs per variant (0: none)',
    })
    .option('worker', { choices: ['report'] as const, hidden: true })
    .option('report', { type: 'boolean', default: true, describe: 'also time the report and count live requests' })
    .strict()
    .parseAsync();
  if (argv.worker === 'report') return reportWorker();
  if (!Number.isInteger(argv.runs) || argv.runs < 1)
    throw new Error(`runs: got ${argv.runs}, expected a whole number of at least 1`);
  if (!Number.isInteger(argv.coldRuns) || argv.coldRuns < 0)
    throw new Error(`cold-runs: got ${argv.coldRuns}, expected a whole number (0 for none)`);
  // What is timed is the compiled kit, as users run it.
  const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed: ${build.stdout}${build.stderr}`.trim());
  const sizes = argv.sizes.split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`sizes: got '${argv.sizes}', expected numbers such as 3,30`);

  interface Row {
    readonly size: number;
    readonly variant: Variant;
    readonly resources: number;
    readonly ms: number;
    readonly cpuMs: number;
    readonly mb: number;
    /** Medians over the runs of this variant's CPU time over no checks' and cdk-nag's in the same process. */
    readonly vsBare: number;
    readonly vsNag: number;
  }
  const rows: Row[] = [];
  for (const size of sizes) {
    const runs: PairedSample[] = [];
    for (let run = 0; run < argv.runs; run++) {
      process.stderr.write(`synth x${size} run ${run + 1}/${argv.runs}\r`);
      runs.push(worker<PairedSample>([String(size)]));
    }
    const memory: MemorySample[] = [];
    for (let run = 0; run < MEMORY_RUNS; run++) {
      for (const variant of VARIANTS) {
        process.stderr.write(`memory ${variant} x${size} run ${run + 1}/${MEMORY_RUNS}\r`);
        memory.push(worker<MemorySample>(['--memory', variant, String(size)]));
      }
    }
    for (const variant of VARIANTS) {
      const cpu = (r: PairedSample, v: Variant) => r.variants[v].cpuMs;
      rows.push({
        size,
        variant,
        resources: runs[0].resources,
        ms: median(runs.map((r) => r.variants[variant].ms)),
        cpuMs: median(runs.map((r) => cpu(r, variant))),
        mb: median(memory.filter((m) => m.variant === variant).map((m) => m.maxRssMb)),
        vsBare: median(runs.map((r) => cpu(r, variant) / cpu(r, 'bare'))),
        vsNag: median(runs.map((r) => cpu(r, variant) / cpu(r, 'cdk-nag'))),
      });
    }
  }
  process.stderr.write('\n');
  const at = (size: number, variant: Variant) => rows.find((r) => r.size === size && r.variant === variant)!;
  const lines = [
    `Synthesis, medians of ${argv.runs} runs (built-in CloudFormation validation off; each run is a fresh process that synthesizes each variant to load and warm the modules, ${sizes.map((n) => `${synthCounts(n).warmUps} times at ${n} environments`).join(', ')}, then times it in alternating rounds, ${sizes.map((n) => `${synthCounts(n).timed} at ${n}`).join(', ')}, their median its figure; CPU is the process' user and system time; ratios are medians of each run's own ratio of CPU time; peak memory from ${MEMORY_RUNS} fresh processes per variant, one synthesis each)`,
    '',
    '| environments | resources | variant | wall ms | CPU ms | peak MB | CPU vs no checks | CPU vs cdk-nag |',
    '| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.size} | ${r.resources} | ${r.variant} | ${r.ms.toFixed(0)} | ${r.cpuMs.toFixed(0)} | ${r.mb.toFixed(0)} | ${r.vsBare.toFixed(2)} | ${r.vsNag.toFixed(2)} |`,
    ),
    '',
  ];
  for (const size of sizes) {
    const overhead = at(size, 'kit').vsNag - 1;
    lines.push(
      `kit checks over cdk-nag alone at ${size} environments: ${(overhead * 100).toFixed(1)}% of CPU time (target at most 10%): ${overhead <= 0.1 ? 'met' : 'missed'}`,
    );
  }
  if (sizes.length > 2) {
    // Linear growth: the middle size's time lies on the line through the smallest and largest, by resource count.
    const sorted = [...sizes].sort((x, y) => x - y);
    const [lo, hi] = [at(sorted[0], 'kit'), at(sorted[sorted.length - 1], 'kit')];
    for (const size of sorted.slice(1, -1)) {
      const mid = at(size, 'kit');
      const predicted =
        lo.cpuMs + ((hi.cpuMs - lo.cpuMs) * (mid.resources - lo.resources)) / (hi.resources - lo.resources);
      lines.push(
        `kit CPU time at ${size} environments vs the straight line through ${sorted[0]} and ${sorted[sorted.length - 1]}: ${(mid.cpuMs / predicted).toFixed(2)} (1.00 is linear growth)`,
      );
    }
    const marginal = (hi.cpuMs - lo.cpuMs) / (hi.resources - lo.resources);
    lines.push(`kit marginal cost: ${marginal.toFixed(2)} ms of CPU per resource`);
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
  if (argv.coldRuns > 0) lines.push('', ...coldFigures(argv.coldRuns));
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
