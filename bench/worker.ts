/**
 * One in-process figure for `npm run bench`: `node dist/bench/worker.js <variant> <environments>` synthesizes the
 * variant a few times to load and warm the modules, then times it, and prints one JSON line (median wall and CPU
 * time, peak memory).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesizeVariant, Variant, VARIANTS } from './variants';

export const WARM_UPS = 2;
export const TIMED = 5;

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function run(variant: Variant, environments: number): void {
  const outdir = mkdtempSync(join(tmpdir(), 'spendsense-bench-'));
  try {
    for (let i = 0; i < WARM_UPS; i++) synthesizeVariant(variant, environments, join(outdir, `warm-up-${i}`));
    const timed = Array.from({ length: TIMED }, (_, i) =>
      synthesizeVariant(variant, environments, join(outdir, `timed-${i}`)),
    );
    const maxRssMb = process.resourceUsage().maxRSS / 1024;
    const figures = { ms: median(timed.map((t) => t.ms)), cpuMs: median(timed.map((t) => t.cpuMs)), maxRssMb };
    process.stdout.write(`${JSON.stringify({ ...timed[0], ...figures })}\n`);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const [variant, environments] = [process.argv[2] as Variant, Number(process.argv[3])];
  if (!VARIANTS.includes(variant) || !Number.isInteger(environments) || environments < 1) {
    process.stderr.write(`usage: node dist/bench/worker.js <${VARIANTS.join('|')}> <environments>\n`);
    process.exit(2);
  }
  run(variant, environments);
}
