/**
 * The kit as another team installs it: `npm pack`, the tarball installed into a scratch plain-JavaScript CDK app (no
 * TypeScript, no tsx), `cdk synth` through the real CLI. Also with the oldest aws-cdk-lib the peer range allows, and as
 * a linked directory, which loads a second aws-cdk-lib and must be refused.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, ROOT } from '../support/cli';
import { sarifSchemaErrors } from '../support/sarif-schema';

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
const CDK = join(ROOT, 'node_modules', '.bin', 'cdk');

/** The lowest version a caret range such as `^2.257.0` allows. */
function lowest(range: string): string {
  const m = /^\^(\d+\.\d+\.\d+)$/.exec(range);
  if (!m) throw new Error(`peer range '${range}' is not a caret range; update lowest() to read it`);
  return m[1];
}

/** A team's app: `violating` has a bare bucket and a key without rotation; `compliant` a rotating key only. */
const APP_JS = `const { App, Stack } = require('aws-cdk-lib');
const s3 = require('aws-cdk-lib/aws-s3');
const kms = require('aws-cdk-lib/aws-kms');
const { applyCompliance } = require('spendsense-database-kit');

const app = new App();
const stack = new Stack(app, 'TeamStack');
if (process.env.TEAM_CASE === 'violating') {
  new s3.Bucket(stack, 'Bucket');
  new kms.Key(stack, 'Key');
} else {
  new kms.Key(stack, 'Key', { enableKeyRotation: true });
}
applyCompliance(app, { environment: 'prod' });
`;

let work: string;
let tarball: string;

function scratchApp(name: string, install: readonly string[]): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `team-${name}`, private: true }, null, 2));
  writeFileSync(join(dir, 'app.js'), APP_JS);
  writeFileSync(
    join(dir, 'cdk.json'),
    JSON.stringify({ app: 'node app.js', notices: false, context: { 'cli-telemetry': false } }, null, 2),
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...install], {
    cwd: dir,
    env: cleanEnv(),
    stdio: 'pipe',
  });
  return dir;
}

function synth(dir: string, teamCase: 'violating' | 'compliant', app?: string) {
  const r = spawnSync(CDK, ['synth', '-q', '--no-notices', '--no-validation', ...(app ? ['--app', app] : [])], {
    cwd: dir,
    env: cleanEnv({ TEAM_CASE: teamCase }),
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

/** The README's TypeScript example: the first `ts` block of its "Use it in your own CDK app" section. */
function readmeExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Use it in your own CDK app'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README: no ts block in "Use it in your own CDK app"');
  return block[1];
}

const peers = (versions: Record<string, string>) => Object.entries(versions).map(([name, v]) => `${name}@${v}`);

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'spendsense-consumer-'));
  // `npm pack` builds the package (its prepare script) and prints the tarball's name last.
  const out = execFileSync('npm', ['pack', '--pack-destination', work, '--loglevel=error'], {
    cwd: ROOT,
    env: cleanEnv(),
    encoding: 'utf8',
  });
  tarball = join(work, out.trim().split('\n').pop()!);
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed kit in a plain JavaScript app', () => {
  const pinned = () =>
    peers({
      'aws-cdk-lib': manifest.devDependencies['aws-cdk-lib'],
      constructs: manifest.devDependencies.constructs,
      'cdk-nag': manifest.devDependencies['cdk-nag'],
    });

  test('holds only the compiled library, its types and its documents', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files).toContain('package/dist/lib/index.js');
    expect(files).toContain('package/dist/lib/index.d.ts');
    expect(files.filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => /(^|\/)(test|\.ci|\.github|scripts)\//.test(f))).toEqual([]);
  });

  /** The gate in an installed app: violations fail naming both rule sets, a compliant stack synthesizes. */
  function judgesTeamStacks(name: string, versions: () => string[], also?: (dir: () => string) => void): void {
    let dir: string;
    beforeAll(() => {
      dir = scratchApp(name, [tarball, ...versions()]);
    }, 300_000);

    test('a team stack with violations fails synth, naming the cdk-nag and the kit rule', () => {
      const r = synth(dir, 'violating');
      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(/AwsSolutions-S1/);
      expect(r.output).toMatch(/SS-KMS-001/);
      // Placed on the team's own line of JavaScript (APP_JS line 9 makes the bucket, 10 the key), in console and SARIF.
      expect(r.output).toMatch(/AwsSolutions-S1.*\n.*TeamStack\/Bucket\/Resource.*\n\s+at app\.js:9\n/);
      const sarif = JSON.parse(readFileSync(join(dir, 'cdk.out', 'compliance.sarif'), 'utf8')) as {
        runs: {
          results: {
            ruleId: string;
            locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
          }[];
        }[];
      };
      expect(sarifSchemaErrors(sarif)).toEqual([]);
      const placed = (rule: RegExp) =>
        sarif.runs[0].results
          .filter((x) => rule.test(x.ruleId))
          .map(
            (x) =>
              `${x.locations[0].physicalLocation.artifactLocation.uri}:${x.locations[0].physicalLocation.region.startLine}`,
          );
      expect(new Set(placed(/^AwsSolutions-S1/))).toEqual(new Set(['app.js:9']));
      expect(new Set(placed(/^SS-KMS-001/))).toEqual(new Set(['app.js:10']));
    });

    test('a compliant team stack synthesizes', () => {
      const r = synth(dir, 'compliant');
      expect(r.output).not.toMatch(/SS-KMS-001|AwsSolutions-KMS5/);
      expect(r.status === 0 ? '' : r.output).toBe('');
    });

    test("the package's spendsense-verify judges the app's assembly outside the app", () => {
      const verify = (teamCase: 'violating' | 'compliant') => {
        synth(dir, teamCase);
        return spawnSync('npx', ['--no-install', 'spendsense-verify', '--environment', 'prod'], {
          cwd: dir,
          env: cleanEnv(),
          encoding: 'utf8',
          timeout: 60_000,
        });
      };
      const compliant = verify('compliant');
      expect(compliant.stderr).toMatch(/^SpendSense verify: 1 stack judged, 0 blocking problems$/m);
      expect(compliant.status).toBe(0);
      const violating = verify('violating');
      expect(violating.stderr).toMatch(/^ERROR \[prod\] SS-KMS-001 /m);
      expect(violating.status).toBe(1);
    });

    also?.(() => dir);
  }

  /** Compiled by TypeScript against the installed package's declarations, then synthesized through the CLI. */
  function runsTheReadmeExample(dir: () => string): void {
    test("the README's TypeScript example compiles against the package and synthesizes clean", () => {
      writeFileSync(join(dir(), 'readme-app.ts'), readmeExample());
      const tsconfig = {
        compilerOptions: {
          strict: true,
          noUnusedLocals: true,
          module: 'commonjs',
          moduleResolution: 'node10',
          target: 'es2022',
          skipLibCheck: true,
          typeRoots: [join(ROOT, 'node_modules', '@types')],
          types: ['node'],
        },
        files: ['readme-app.ts'],
      };
      writeFileSync(join(dir(), 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
      const tsc = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], {
        cwd: dir(),
        encoding: 'utf8',
      });
      expect(tsc.stdout + tsc.stderr).toBe('');
      const r = synth(dir(), 'compliant', 'node readme-app.js');
      expect(r.status === 0 ? '' : r.output).toBe('');
      const template = JSON.parse(readFileSync(join(dir(), 'cdk.out', 'Orders-prod.template.json'), 'utf8')) as {
        Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
      };
      const instances = Object.values(template.Resources).filter((x) => x.Type === 'AWS::RDS::DBInstance');
      expect(instances.map((x) => x.Properties?.DBInstanceIdentifier)).toEqual(['orders-prod']);
    });
  }

  describe('with the aws-cdk-lib the kit is developed against', () =>
    judgesTeamStacks('pinned', pinned, runsTheReadmeExample));

  describe('with the oldest aws-cdk-lib the peer range allows', () =>
    judgesTeamStacks('oldest', () =>
      peers({
        'aws-cdk-lib': lowest(manifest.peerDependencies['aws-cdk-lib']),
        constructs: lowest(manifest.peerDependencies.constructs),
        'cdk-nag': lowest(manifest.peerDependencies['cdk-nag']),
      }),
    ));

  describe('installed as a linked directory', () => {
    test('two copies of aws-cdk-lib are refused, never a silent pass', () => {
      const dir = scratchApp('linked', [ROOT, ...pinned()]);
      const r = synth(dir, 'violating');
      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(/aws-cdk-lib: 2 copies are loaded in one app/);
      // Even the compliant stack: the gate cannot prove anything with two copies.
      expect(synth(dir, 'compliant').status).not.toBe(0);
    }, 300_000);
  });
});
