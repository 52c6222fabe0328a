/**
 * The report must see the context `cdk synth` gives the app: the real CLI runs an app that records its context, and
 * cdkContext() over the same project directory must agree on every key the project sets.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cdkContext } from '../../reports/context';
import { cleanEnv, ROOT } from '../support/cli';

const RECORDER = `const { App, Stack, CfnWaitConditionHandle } = require(${JSON.stringify(join(ROOT, 'node_modules', 'aws-cdk-lib'))});
const app = new App();
require('fs').writeFileSync(process.env.CONTEXT_OUT, JSON.stringify(app.node.getAllContext()));
new CfnWaitConditionHandle(new Stack(app, 'Recorder'), 'Handle');
`;

function cliContext(dir: string, home: string, args: string[]): Record<string, unknown> {
  const out = join(dir, 'context-seen.json');
  const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '-q', '--no-notices', ...args], {
    cwd: dir,
    env: cleanEnv({ CONTEXT_OUT: out, HOME: home }),
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`cdk synth failed: ${r.stderr}`);
  return JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
}

describe('cdkContext', () => {
  let dir: string;
  let home: string;
  const saved = process.env.HOME;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'spendsense-context-'));
    home = mkdtempSync(join(tmpdir(), 'spendsense-home-'));
    writeFileSync(join(dir, 'record.js'), RECORDER);
    writeFileSync(
      join(dir, 'cdk.json'),
      JSON.stringify({
        app: 'node record.js',
        notices: false,
        context: { 'cli-telemetry': false, environment: 'prod', port: 6000, rdsProxy: true },
      }),
    );
    writeFileSync(join(dir, 'cdk.context.json'), JSON.stringify({ environment: 'dev', port: 7000, multiAz: false }));
    writeFileSync(join(home, '.cdk.json'), JSON.stringify({ context: { multiAz: true, rotationDays: 7, port: 8000 } }));
    process.env.HOME = home;
  });
  afterAll(() => {
    process.env.HOME = saved;
    rmSync(dir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  test.each([[[] as string[]], [['-c', 'port=6543', '-c', 'environment=staging']]])(
    'gives the same keys and values as the CDK CLI (arguments %j)',
    (args) => {
      const seen = cliContext(dir, home, args);
      const ours = cdkContext(
        dir,
        args.filter((_, i) => args[i - 1] === '-c'),
      );
      for (const key of ['environment', 'port', 'rdsProxy', 'multiAz', 'rotationDays']) {
        expect([key, ours[key]]).toEqual([key, seen[key]]);
      }
    },
  );

  test('cdk.json beats cdk.context.json, which beats ~/.cdk.json', () => {
    const ours = cdkContext(dir, []);
    expect(ours).toMatchObject({ environment: 'prod', port: 6000, multiAz: false, rotationDays: 7 });
  });
});
