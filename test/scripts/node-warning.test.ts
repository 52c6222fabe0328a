/**
 * The AWS SDK's Node version warning is the SDK's to give: nothing the kit ships or CI runs turns it off. Only the test
 * harness does, and only on a Node older than the supported one (test/support/node-version.ts).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { minVersion } from 'semver';
import { ROOT } from '../support/cli';
import { NODE_MAJOR, SDK_WARNING_ENV, SUPPORTED_NODE_MAJOR } from '../support/node-version';

const SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

test('no script, library source, CI file or package script sets the SDK warning switch', () => {
  const shipped = ['scripts', 'lib', 'bin', 'aspects', 'reports', 'bench', '.ci', '.github']
    .flatMap((dir) => filesUnder(join(ROOT, dir)))
    .concat([join(ROOT, 'package.json'), join(ROOT, 'cdk.json')]);
  expect(shipped.length).toBeGreaterThan(20);
  const setting = shipped.filter((f) => readFileSync(f, 'utf8').includes(SWITCH)).map((f) => relative(ROOT, f));
  expect(setting).toEqual([]);
});

test('package.json supports the Node the harness treats as supported', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
  expect(minVersion(pkg.engines.node)?.major).toBe(SUPPORTED_NODE_MAJOR);
});

test('the harness sets the switch only below the supported Node', () => {
  expect(SWITCH in SDK_WARNING_ENV).toBe(NODE_MAJOR < SUPPORTED_NODE_MAJOR);
});
