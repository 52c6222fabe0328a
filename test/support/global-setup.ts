/**
 * Tests that run `cdk synth` go through cdk.json's app, the compiled JavaScript in dist/: build it first (incremental,
 * so a no-op when nothing changed), or they would judge an old build.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export default function globalSetup(): void {
  execFileSync(join(__dirname, '..', '..', 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], {
    cwd: join(__dirname, '..', '..'),
    stdio: 'inherit',
  });
}
