/**
 * Tests that run `cdk synth` go through cdk.json's app, the compiled JavaScript in dist/: build it first (`tsc -b`, a
 * no-op when nothing changed), or they would judge an old build. Then the entry points that tests start as processes
 * are bundled (bundle.ts).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { bundleEntries } from './bundle';

export default async function globalSetup(): Promise<void> {
  execFileSync(join(__dirname, '..', '..', 'node_modules', '.bin', 'tsc'), ['-b', 'tsconfig.build.json'], {
    cwd: join(__dirname, '..', '..'),
    stdio: 'inherit',
  });
  await bundleEntries();
}
