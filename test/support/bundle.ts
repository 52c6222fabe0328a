/**
 * Entry points the tests start many times (the operations scripts, `npm run report`, the red-team app), bundled into
 * one JavaScript file each so that a test process runs them with plain `node`. Through tsx every start costs a second
 * process and a loader hook on each of the thousands of modules aws-cdk-lib and the SDK load: about 1.5 s of CPU a
 * start, most of the suite's time. What the bundle runs is the same source; packages stay external (they resolve from
 * the repository's node_modules, hence bundles live in .cache/, ignored), `'../..'` stays a require of this package
 * (its compiled dist/, as a team's app loads the kit), and each file keeps its own `__dirname`/`__filename`. The tsx
 * entry points users run are tested too, once per script (test/scripts/entry-points.test.ts).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { build, Plugin } from 'esbuild';
import { ROOT } from './cli';
import { NODE_MAJOR } from './node-version';

/** Repository-relative entry points that tests start as processes. */
export const BUNDLED_ENTRIES = [
  'scripts/report.ts',
  'scripts/secret-sync.ts',
  'scripts/db-test.ts',
  'scripts/dev-access.ts',
  'scripts/pricing-snapshot.ts',
  'test/redteam/app.ts',
  'bin/verify.ts',
] as const;

export type BundledEntry = (typeof BUNDLED_ENTRIES)[number];

/** One directory per Node major: CI runs the suite on two at once, and each bundle targets its own. */
const BUNDLE_DIR = join(ROOT, '.cache', 'bundles', `node${NODE_MAJOR}`);

/** Where the bundle of `entry` is written. */
export function bundlePath(entry: BundledEntry): string {
  return join(BUNDLE_DIR, entry.replace(/\.ts$/, '.js'));
}

/** `node <bundle>` as a command and its arguments, with the node that runs the tests. */
export function bundledCommand(entry: BundledEntry, args: readonly string[] = []): [string, string[]] {
  return [process.execPath, [bundlePath(entry), ...args]];
}

const sourcePaths: Plugin = {
  name: 'repository-sources',
  setup(b) {
    // The kit's own package stays a package.
    b.onResolve({ filter: /^\.\.?(\/|$)/ }, (args) =>
      resolve(args.resolveDir, args.path) === ROOT ? { path: ROOT, external: true } : undefined,
    );
    // Each source file's own __dirname and __filename, as tsx gives them.
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (relative(ROOT, args.path).startsWith('node_modules')) return undefined;
      const text = await readFile(args.path, 'utf8');
      return {
        loader: 'ts',
        contents: text
          .replace(/\b__dirname\b/g, JSON.stringify(dirname(args.path)))
          .replace(/\b__filename\b/g, JSON.stringify(args.path)),
      };
    });
  },
};

/** Writes every bundle; throws with esbuild's messages when an entry does not compile. */
export async function bundleEntries(): Promise<void> {
  await build({
    entryPoints: BUNDLED_ENTRIES.map((e) => ({ in: join(ROOT, e), out: e.replace(/\.ts$/, '') })),
    outdir: BUNDLE_DIR,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${NODE_MAJOR}`,
    packages: 'external',
    logLevel: 'silent',
    plugins: [sourcePaths],
  });
}
