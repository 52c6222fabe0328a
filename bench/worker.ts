/**
 * In-process figures for `npm run bench`, from the compiled kit:
 * - `node dist/bench/worker.js <environments>`: the three variants in one process, each synthesized a few times to
 *   load and warm the modules (see synthCounts), then timed in alternating rounds (forward, then reverse order), so that whatever the
 *   machine does meanwhile falls on every variant alike and each variant's figure is paired with the others' of the
 *   same process. Prints one JSON line: per variant, the median wall and CPU time of its timed synths.
 * - `node dist/bench/worker.js --memory <variant> <environments>`: one synthesis of one variant in a fresh process;
 *   prints its peak memory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesizeVariant, SynthMeasurement, Variant, VARIANTS } from './variants';

export const WARM_UPS = 2;
export const TIMED = 5;

/**
 * Warm-up and timed synths per variant at a size: at least WARM_UPS and TIMED, more for small apps, so that every
 * variant's code has judged at least WARM_UP_ENVIRONMENTS stacks (V8 compiles a function once it has run often enough;
 * at 3 environments two synths leave the gate's rules barely run) and each figure has at least TIMED_ENVIRONMENTS
 * stacks behind it: a small synth is short enough (about 0.1 s) that a burst of other work on the machine moves one
 * round's figure by a tenth, and the median of 30 rounds holds still where that of 10 did not. The cold
 * whole-process figures are where loading and compiling count.
 */
export const WARM_UP_ENVIRONMENTS = 60;
export const TIMED_ENVIRONMENTS = 90;
export function synthCounts(environments: number): { readonly warmUps: number; readonly timed: number } {
  return {
    warmUps: Math.max(WARM_UPS, Math.ceil(WARM_UP_ENVIRONMENTS / environments)),
    timed: Math.max(TIMED, Math.ceil(TIMED_ENVIRONMENTS / environments)),
  };
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export interface PairedSample {
  readonly environments: number;
  readonly resources: number;
  readonly variants: Readonly<Record<Variant, { readonly ms: number; readonly cpuMs: number }>>;
}

export interface MemorySample {
  readonly variant: Variant;
  readonly maxRssMb: number;
}

function withOutdir<T>(f: (outdir: string) => T): T {
  const outdir = mkdtempSync(join(tmpdir(), 'spendsense-bench-'));
  try {
    return f(outdir);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function paired(environments: number): PairedSample {
  return withOutdir((outdir) => {
    let n = 0;
    const synth = (variant: Variant) => synthesizeVariant(variant, environments, join(outdir, String(n++)));
    const counts = synthCounts(environments);
    for (let i = 0; i < counts.warmUps; i++) VARIANTS.forEach(synth);
    const timed = new Map<Variant, SynthMeasurement[]>(VARIANTS.map((v) => [v, []]));
    for (let round = 0; round < counts.timed; round++) {
      const order = round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
      for (const variant of order) timed.get(variant)!.push(synth(variant));
    }
    const figures = (v: Variant) => ({
      ms: median(timed.get(v)!.map((t) => t.ms)),
      cpuMs: median(timed.get(v)!.map((t) => t.cpuMs)),
    });
    return {
      environments,
      resources: timed.get('kit')![0].resources,
      variants: Object.fromEntries(VARIANTS.map((v) => [v, figures(v)])) as PairedSample['variants'],
    };
  });
}

function memory(variant: Variant, environments: number): MemorySample {
  return withOutdir((outdir) => {
    synthesizeVariant(variant, environments, outdir);
    return { variant, maxRssMb: process.resourceUsage().maxRSS / 1024 };
  });
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const forMemory = args[0] === '--memory';
  const variant = forMemory ? (args[1] as Variant) : undefined;
  const environments = Number(args[forMemory ? 2 : 0]);
  if ((forMemory && !VARIANTS.includes(variant!)) || !Number.isInteger(environments) || environments < 1) {
    process.stderr.write(
      `usage: node dist/bench/worker.js <environments> | --memory <${VARIANTS.join('|')}> <environments>\n`,
    );
    process.exit(2);
  }
  const result = forMemory ? memory(variant!, environments) : paired(environments);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
