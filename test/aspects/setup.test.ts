import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { applyCompliance } from '../../aspects/compliance';
import { EXAMINED_BY_EVERY_PACK, runNagPacks } from '../../aspects/nag';
import { kitManifest, loadedCopies, SetupError, setupProblems, treeProblems } from '../../aspects/setup';
import { NAG_PACKS } from '../../lib/profiles';
import { ROOT } from '../support/cli';

/**
 * Runs `f` with a second, separate copy of aws-cdk-lib, as a linked install or a mismatched version loads.
 * aws-cdk-lib requires its modules lazily, at first use: `f` builds inside the isolated registry so that the copy's
 * classes resolve to the copy's own core.
 */
function withSecondCopy<T>(f: (copy: { App: typeof App; Bucket: typeof s3.Bucket }) => T): T {
  let result: T | undefined;
  jest.isolateModules(() => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    result = f({
      App: (require('aws-cdk-lib') as typeof import('aws-cdk-lib')).App,
      Bucket: (require('aws-cdk-lib/aws-s3') as typeof s3).Bucket,
    });
    /* eslint-enable @typescript-eslint/no-require-imports */
  });
  return result!;
}

describe('loaded copies of the peer packages', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'spendsense-setup-'));
    const old = join(scratch, 'node_modules', 'aws-cdk-lib');
    mkdirSync(old, { recursive: true });
    writeFileSync(join(old, 'package.json'), JSON.stringify({ name: 'aws-cdk-lib', version: '2.200.0' }));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const kitCopy = join(ROOT, 'node_modules', 'aws-cdk-lib', 'index.js');

  test('finds each package root once, whatever file of it was loaded', () => {
    const copies = loadedCopies([kitCopy, join(ROOT, 'node_modules', 'aws-cdk-lib', 'core', 'lib', 'stack.js')]);
    expect(copies.get('aws-cdk-lib')).toEqual([join(ROOT, 'node_modules', 'aws-cdk-lib')]);
    expect(copies.get('cdk-nag')).toEqual([]);
  });

  test('one copy in the supported range is no problem', () => {
    expect(setupProblems([kitCopy, join(ROOT, 'node_modules', 'cdk-nag', 'lib', 'index.js')])).toEqual([]);
  });

  test('two copies are a problem naming both, their versions and the fix', () => {
    const problems = setupProblems([kitCopy, join(scratch, 'node_modules', 'aws-cdk-lib', 'index.js')]);
    expect(problems[0]).toMatch(/^aws-cdk-lib: 2 copies are loaded in one app: .*\(2\.\d+\.\d+\), .*\(2\.200\.0\); /);
    expect(problems[0]).toMatch(/npm ls aws-cdk-lib/);
  });

  test('a version below the peer range is a problem naming the range', () => {
    const problems = setupProblems([join(scratch, 'node_modules', 'aws-cdk-lib', 'index.js')]);
    expect(problems).toEqual([
      expect.stringMatching(
        new RegExp(`^aws-cdk-lib: version 2\\.200\\.0 at .* is outside the kit's supported range \\^2\\.262\\.0`),
      ),
    ]);
    expect(kitManifest().peerDependencies['aws-cdk-lib']).toBe('^2.262.0');
  });
});

describe('constructs of another aws-cdk-lib copy', () => {
  test('an app of another copy is named', () => {
    const app = withSecondCopy((other) => new other.App());
    expect(treeProblems(app)[0]).toMatch(/^aws-cdk-lib: the app was created by another copy/);
  });

  test('resources of another copy are named, with the first one’s path', () => {
    const app = new App();
    const stack = new Stack(app, 'Team');
    withSecondCopy((other) => new other.Bucket(stack, 'Bucket'));
    expect(treeProblems(app)).toEqual([
      expect.stringMatching(/^aws-cdk-lib: 1 resources \(first Team\/Bucket\/Resource\) were made by another copy/),
    ]);
  });

  test('applyCompliance refuses such an app before attaching anything', () => {
    const app = new App();
    withSecondCopy((other) => new other.Bucket(new Stack(app, 'Team'), 'Bucket'));
    expect(() => applyCompliance(app, { environment: 'prod' })).toThrow(SetupError);
  });
});

describe('cdk-nag packs that examine nothing', () => {
  test.each(NAG_PACKS)('%s examined nothing of a stack with a bucket of another copy: an error', (pack) => {
    const stack = new Stack(new App(), 'Team');
    withSecondCopy((other) => new other.Bucket(stack, 'Bucket'));
    expect(() => runNagPacks(stack, [pack])).toThrow(/examined no resource of stack Team, which holds Team\/Bucket/);
  });

  // The types the check relies on: every pack must have a rule that applies to each of them.
  const makers: Record<string, (stack: Stack) => void> = {
    'AWS::S3::Bucket': (stack) => new s3.Bucket(stack, 'R'),
    'AWS::RDS::DBInstance': (stack) => new rds.CfnDBInstance(stack, 'R', { dbInstanceClass: 'db.t4g.micro' }),
    'AWS::SecretsManager::Secret': (stack) => new secretsmanager.Secret(stack, 'R'),
    'AWS::Lambda::Function': (stack) =>
      new lambda.Function(stack, 'R', {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async () => {}'),
      }),
  };
  test('every type the check relies on has a maker here', () => {
    expect(Object.keys(makers).sort()).toEqual([...EXAMINED_BY_EVERY_PACK].sort());
  });
  test.each(NAG_PACKS.flatMap((pack) => Object.keys(makers).map((type) => [pack, type] as const)))(
    '%s examines %s',
    (pack, type) => {
      const stack = new Stack(new App(), 'Team');
      makers[type](stack);
      expect(stack.node.findAll().some((c) => CfnResource.isCfnResource(c) && c.cfnResourceType === type)).toBe(true);
      expect(() => runNagPacks(stack, [pack])).not.toThrow();
    },
  );
});
