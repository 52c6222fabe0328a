import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { applyCompliance, ComplianceConfigError } from '../../aspects/compliance';
import { underTestRunner } from '../../aspects/exit-guard';
import { objectsNamed, unjudgedSource } from '../../aspects/template-sources';
import { cleanEnv, ROOT } from '../support/cli';

describe('a gate attached after the app was synthesized', () => {
  test.each([
    ['app.synth()', (app: App) => app.synth()],
    ['Template.fromStack()', (app: App) => Template.fromStack(app.node.children[0] as Stack)],
  ])('is refused after %s: aws-cdk-lib would hand back the unjudged assembly', (_, synthesize) => {
    const app = new App();
    new s3.Bucket(new Stack(app, 'Team'), 'Uploads');
    synthesize(app);
    expect(() => applyCompliance(app, { environment: 'prod' })).toThrow(ComplianceConfigError);
    expect(() => applyCompliance(app, { environment: 'prod' })).toThrow(
      /the app was already synthesized .*call applyCompliance before anything synthesizes the app/,
    );
  });
  test('is refused on a Stage of an app already synthesized', () => {
    const app = new App();
    const stage = new Stage(app, 'Prod');
    new Stack(stage, 'Team');
    app.synth();
    expect(() => applyCompliance(stage, { environment: 'prod' })).toThrow(ComplianceConfigError);
  });
  test('is accepted before any synthesis, and the synthesis runs it', () => {
    const app = new App();
    new Stack(app, 'Team');
    const gate = applyCompliance(app, { environment: 'prod', writeFiles: false });
    expect(gate.ran).toBe(false);
    app.synth();
    expect(gate.ran).toBe(true);
  });
});

describe('the exit guard, in an app process of its own (node, as the CDK CLI runs it)', () => {
  /** Runs `body` as a TypeScript app with the kit's entry point as `kit` and a fresh output directory as `outdir`. */
  const runApp = (body: string, env: Record<string, string> = {}) => {
    const dir = mkdtempSync(join(tmpdir(), 'spendsense-exit-guard-'));
    const file = join(dir, 'app.ts');
    writeFileSync(
      file,
      [
        "import * as fs from 'node:fs';",
        "import * as path from 'node:path';",
        "import { App, DefaultStackSynthesizer, NestedStack, Stack, Stage } from 'aws-cdk-lib';",
        "import * as lambda from 'aws-cdk-lib/aws-lambda';",
        "import * as s3 from 'aws-cdk-lib/aws-s3';",
        "import * as sfn from 'aws-cdk-lib/aws-stepfunctions';",
        `import * as kit from ${JSON.stringify(join(ROOT, 'lib'))};`,
        `const outdir = ${JSON.stringify(join(dir, 'out'))};`,
        'void fs, path, DefaultStackSynthesizer, NestedStack, Stage, lambda, s3, sfn, kit;',
        body,
      ].join('\n'),
    );
    const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [file], {
      cwd: ROOT,
      env: cleanEnv({ CDK_VALIDATION: 'false', NODE_PATH: join(ROOT, 'node_modules'), ...env }),
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { status: r.status, stderr: r.stderr };
  };
  /** A compliant app: one bucket a prod gate passes (its cdk-nag findings acknowledged). */
  const COMPLIANT = `
const app = new App({ outdir });
const stack = new Stack(app, 'Team');
new s3.Bucket(stack, 'Uploads', { enforceSSL: true, serverAccessLogsPrefix: 'logs/' });
kit.applyCompliance(app, { environment: 'prod', nagPacks: [] });
const dir = app.synth().directory;
const manifestFile = path.join(dir, 'manifest.json');
const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
`;

  test('a compliant app exits 0 (the control)', () => {
    const r = runApp(COMPLIANT);
    expect(r.stderr).not.toMatch(/SpendSense policy gate/);
    expect(r.status).toBe(0);
  });
  test('a manifest pointed at another template fails the process, naming both', () => {
    const r = runApp(`${COMPLIANT}
fs.writeFileSync(path.join(dir, 'Team.hotfix.json'), fs.readFileSync(path.join(dir, 'Team.template.json')));
manifest.artifacts.Team.properties.templateFile = 'Team.hotfix.json';
fs.writeFileSync(manifestFile, JSON.stringify(manifest));
`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/SpendSense policy gate: 1 file changed after the gate judged it \(manifest\.json\)/);
    expect(r.stderr).toMatch(/deploys Team \(Team\.hotfix\.json\), which the gate did not judge: synthesis fails/);
  });
  test('a second App writing into the same directory fails the process', () => {
    const r = runApp(`${COMPLIANT}
const legacy = new App({ outdir });
new Stack(legacy, 'Legacy');
legacy.synth();
`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/deploys .*Legacy \(Legacy\.template\.json\).*which the gate did not judge/);
  });
  test("an asset manifest rewritten to upload another file as a nested stack's template fails the process", () => {
    const r = runApp(`
const app = new App({ outdir });
const stack = new Stack(app, 'Team');
new NestedStack(stack, 'Inner');
kit.applyCompliance(app, { environment: 'prod', nagPacks: [] });
const dir = app.synth().directory;
const assetsFile = path.join(dir, 'Team.assets.json');
const assets = JSON.parse(fs.readFileSync(assetsFile, 'utf8'));
for (const a of Object.values(assets.files) as { source: { path: string } }[]) a.source.path = 'hotfix.json';
fs.writeFileSync(assetsFile, JSON.stringify(assets));
`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/1 file changed after the gate judged it \(Team\.assets\.json\)/);
  });
  test('a state machine definition the gate read from its asset, rewritten after judging, fails the process', () => {
    const r = runApp(`
const definition = path.join(path.dirname(outdir), 'describe.json');
fs.writeFileSync(definition, JSON.stringify({ StartAt: 'D', States: { D: { Type: 'Pass', End: true } } }));
const app = new App({ outdir });
const stack = new Stack(app, 'Team');
const machine = new sfn.StateMachine(stack, 'Machine', { definitionBody: sfn.DefinitionBody.fromFile(definition) });
for (const ruleId of ['AwsSolutions-SF1', 'AwsSolutions-SF2']) {
  kit.acknowledge(machine, { ruleId, reason: 'a pass state that runs nothing: no logs or traces to keep', owner: 'team@example.com', expires: '2099-01-01' });
}
kit.applyCompliance(app, { environment: 'prod', nagPacks: [] });
const dir = app.synth().directory;
const asset = fs.readdirSync(dir).find((f) => f.startsWith('asset.') && f.endsWith('.json'))!;
fs.writeFileSync(path.join(dir, asset), JSON.stringify({ StartAt: 'D', States: { D: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:rds:modifyDBInstance', Parameters: { DeletionProtection: false }, End: true } } }));
`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/1 file changed after the gate judged it \(asset\.[0-9a-f]+\.json\)/);
  });
  describe("a stack synthesizer that uploads another file (or a command's output) as a template", () => {
    /** A synthesizer whose addFileAsset hands `swap` each template asset (`asset.fileName` a template) to change. */
    const swapping = (swap: string) => `
class Swapping extends DefaultStackSynthesizer {
  addFileAsset(asset: any) {
    return super.addFileAsset(asset.fileName?.endsWith('template.json') ? (${swap})(asset) : asset);
  }
}
const deletionProtectionOff = (outdir: string, file: string) => {
  const t = JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf8'));
  for (const r of Object.values<any>(t.Resources ?? {})) if (r.Type === 'AWS::RDS::DBInstance') r.Properties.DeletionProtection = false;
  return JSON.stringify(t, null, 1);
};
`;
    test("the stack's template swapped for another file fails the process, naming the stack and the file", () => {
      const r = runApp(`${swapping(`(asset) => {
  fs.writeFileSync(path.join(outdir, 'deployed.json'), deletionProtectionOff(outdir, asset.fileName));
  return { ...asset, fileName: 'deployed.json' };
}`)}
const app = new App({ outdir });
new kit.DatabaseStack(app, 'SpendSense-Database-prod', { profile: kit.getProfile('prod'), synthesizer: new Swapping() });
kit.applyCompliance(app, { environment: 'prod' });
app.synth();
`);
      expect(r.stderr).toMatch(
        /SpendSense policy gate: SpendSense-Database-prod deploys its template from deployed\.json, which the gate did not judge \(it judged SpendSense-Database-prod\.template\.json\): synthesis fails/,
      );
      expect(r.status).toBe(1);
    });
    test("a nested stack's template swapped for a file written after synthesis fails the process", () => {
      const r =
        runApp(`${swapping(`(asset) => asset.fileName.includes('nested') ? { ...asset, fileName: 'hotfix.json' } : asset`)}
const app = new App({ outdir });
const stack = new Stack(app, 'Team', { synthesizer: new Swapping() });
new NestedStack(stack, 'Inner');
kit.applyCompliance(app, { environment: 'prod', nagPacks: [] });
const dir = app.synth().directory;
const nested = fs.readdirSync(dir).find((f) => f.endsWith('.nested.template.json'))!;
fs.writeFileSync(path.join(dir, 'hotfix.json'), deletionProtectionOff(dir, nested));
`);
      expect(r.stderr).toMatch(/Team\/Inner deploys its template from hotfix\.json, which the gate did not judge/);
      expect(r.status).toBe(1);
    });
    test('a template asset built by a command at deploy time fails the process', () => {
      const r =
        runApp(`${swapping(`({ fileName, packaging, ...asset }) => ({ ...asset, executable: ['node', 'make-template.js'] })`)}
const app = new App({ outdir });
new Stack(app, 'Team', { synthesizer: new Swapping() });
kit.applyCompliance(app, { environment: 'prod', nagPacks: [] });
app.synth();
`);
      expect(r.stderr).toMatch(
        /Team deploys its template from the output of a command \(\["node","make-template\.js"\]\)/,
      );
      expect(r.status).toBe(1);
    });
    test('a compliant app with nested stacks, a Stage, file assets and the other synthesizers exits 0 (the control)', () => {
      const r = runApp(`
import { BootstraplessSynthesizer, CliCredentialsStackSynthesizer, LegacyStackSynthesizer } from 'aws-cdk-lib';
const code = path.join(path.dirname(outdir), 'handler');
fs.mkdirSync(code);
fs.writeFileSync(path.join(code, 'index.js'), 'exports.handler = async () => 1;');
const app = new App({ outdir });
const team = (scope: any, id: string, synthesizer?: any) => {
  const stack = new Stack(scope, id, { synthesizer });
  // Two nested stacks with the same template: one object, uploaded from either file.
  new NestedStack(new NestedStack(stack, 'Inner'), 'Deeper');
  new NestedStack(stack, 'Sibling');
  const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromAsset(code) });
  for (const ruleId of ['AwsSolutions-IAM4', 'AwsSolutions-L1']) {
    kit.acknowledge(fn, { ruleId, reason: 'a test function that runs nothing: no data, no permissions', owner: 'team@example.com', expires: '2099-01-01' });
  }
};
team(app, 'Team');
team(new Stage(app, 'Prod'), 'Team');
team(app, 'Cli', new CliCredentialsStackSynthesizer());
team(app, 'Legacy', new LegacyStackSynthesizer());
new Stack(app, 'Bootstrapless', { synthesizer: new BootstraplessSynthesizer({ deployRoleArn: 'arn:aws:iam::123456789012:role/deploy' }) });
kit.applyCompliance(app, { environment: 'dev' });
app.synth();
`);
      expect(r.stderr).not.toMatch(/SpendSense policy gate/);
      expect(r.status).toBe(0);
    });
  });
  test('a gate attached and never run fails the process', () => {
    const r = runApp(`
const app = new App({ outdir, autoSynth: false });
new Stack(app, 'Team');
kit.applyCompliance(app, { environment: 'prod' });
`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/SpendSense policy gate: the gate was attached to an app but never judged it/);
  });
  test.each([
    ['set by the app', "process.env.JEST_WORKER_ID = '1';", {}],
    ['inherited from the environment', '', { JEST_WORKER_ID: '1' }],
    ["with a global 'jest' the app defines", "process.env.JEST_WORKER_ID = '1'; (globalThis as any).jest = {};", {}],
  ])("Jest's marker %s does not turn enforcement off outside Jest", (_, forge, env) => {
    const r = runApp(
      `${forge}
const app = new App({ outdir });
new s3.Bucket(new Stack(app, 'Team'), 'Uploads');
kit.applyCompliance(app, { environment: 'prod' });
try { app.synth(); } catch { /* the app swallows aws-cdk-lib's exception */ }
process.exitCode = 0;
`,
      env,
    );
    expect(r.stderr).toMatch(/ERROR \[prod\] AwsSolutions-S1 failed/);
    expect(r.status).toBe(1);
  });
  describe('a failed gate keeps the exit code, whatever exit listeners the app adds', () => {
    test.each([
      ['an exit listener added after synthesis', "process.on('exit', () => { process.exitCode = 0; });"],
      ['one put first', "process.prependListener('exit', () => { process.exitCode = 0; });"],
      [
        'a listener added after synthesis that also catches exit(0)',
        "process.on('exit', () => { process.exitCode = 0; }); process.exit(0);",
      ],
    ])('%s: the process exits 1', (_, reset) => {
      const r = runApp(`
  const app = new App({ outdir });
  new s3.Bucket(new Stack(app, 'Team'), 'Uploads');
  kit.applyCompliance(app, { environment: 'prod' });
  try { app.synth(); } catch { /* the app swallows aws-cdk-lib's exception */ }
  ${reset}
  `);
      expect(r.stderr).toMatch(/ERROR \[prod\] AwsSolutions-S1 failed/);
      expect(r.status).toBe(1);
    });
    test('an assembly changed after judging: reported, then the process exits 1 past a later listener', () => {
      const r = runApp(`
  const app = new App({ outdir });
  new s3.Bucket(new Stack(app, 'Team'), 'Uploads', { enforceSSL: true, serverAccessLogsPrefix: 'logs/' });
  kit.applyCompliance(app, { environment: 'prod', nagPacks: [] });
  const dir = app.synth().directory;
  fs.appendFileSync(path.join(dir, 'Team.template.json'), ' ');
  process.on('exit', () => { process.exitCode = 0; });
  `);
      expect(r.stderr).toMatch(/1 file changed after the gate judged it \(Team\.template\.json\)/);
      expect(r.status).toBe(1);
    });
  });
});

describe('the file a template object is uploaded from', () => {
  const team = { stack: 'Team', file: '/out/Team.template.json', url: 's3://assets/t.json', dir: '/out' };
  const upload = (path: string, targets = ['s3://assets/t.json']) => ({ source: { path }, base: '/out', targets });
  const judged = (p: string) => p === team.file;
  test('is the judged template: no problem', () => {
    expect(
      unjudgedSource(team, [upload('Team.template.json'), upload('other.json', ['s3://assets/x.json'])], judged),
    ).toBeUndefined();
  });
  test('a second asset uploading another file to the same object is refused', () => {
    expect(unjudgedSource(team, [upload('Team.template.json'), upload('other.json')], judged)).toBe(
      'Team deploys its template from other.json, which the gate did not judge (it judged Team.template.json)',
    );
  });
  test('an object no asset uploads is refused', () => {
    expect(unjudgedSource(team, [upload('Team.template.json', ['s3://assets/x.json'])], judged)).toMatch(
      /^Team deploys its template \(Team\.template\.json\) from s3:\/\/assets\/t\.json, which no asset/,
    );
  });
  test("a nested stack's TemplateURL names its bucket and key, or the legacy parameters it refers to", () => {
    const join = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });
    const region = { Ref: 'AWS::Region' };
    expect(
      objectsNamed(
        join('https://s3.', region, '.', { Ref: 'AWS::URLSuffix' }, '/', { 'Fn::Sub': 'b-${AWS::Region}' }, '/k.json'),
      ),
    ).toEqual(['s3://b-${AWS::Region}/k.json']);
    expect(objectsNamed(join('https://s3.', region, '/', { Ref: 'Bucket' }, '/k.json'))).toEqual(['param:Bucket']);
  });
});

test('inside Jest itself, the marker is honoured: tests assert the exception', () => {
  expect(underTestRunner()).toBe(true);
});
