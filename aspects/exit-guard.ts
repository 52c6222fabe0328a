/**
 * What holds the gate's verdict to the process and to the cloud assembly the CDK CLI deploys, whatever the app does
 * after the gate judged it: a blocking finding keeps the exit code non-zero, and when the process exits, the assembly
 * on disk must be the one judged (its templates, its asset manifests, and a manifest that names only those), and each
 * template the CLI deploys from S3 must be uploaded from the file judged (`template-sources.ts`).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import {
  AssemblyManifest,
  stackTemplateObjects,
  TemplateObject,
  unjudgedSource,
  Upload,
  uploadsOf,
} from './template-sources';

/** The CDK CLI sets this in the environment of the app it runs. */
export function underCdkCli(): boolean {
  return process.env.CDK_CLI_VERSION !== undefined;
}

// Jest passes each module it loads a `jest` object as an argument of the module's wrapper. A module Node loads sees
// only a global of that name, which an app can define; an environment variable (JEST_WORKER_ID) anyone can set.
declare const jest: unknown;

/**
 * True when the kit runs inside a Jest test, whose assertions expect aws-cdk-lib's exception and leave the exit code
 * to Jest: Jest's marker is set, and Jest itself loaded this module. Never under the CDK CLI.
 */
export function underTestRunner(): boolean {
  if (underCdkCli() || process.env.JEST_WORKER_ID === undefined) return false;
  return typeof jest !== 'undefined' && !Object.prototype.hasOwnProperty.call(globalThis, 'jest');
}

const EXIT_GUARDED = Symbol.for('spendsense.compliance.exitGuard');
const STATE = Symbol.for('spendsense.compliance.assemblyGuard');
const FAILED = Symbol.for('spendsense.compliance.failed');
const CHECKED = Symbol.for('spendsense.compliance.exitChecked');

type GuardedProcess = NodeJS.Process & {
  [EXIT_GUARDED]?: boolean;
  [FAILED]?: boolean;
  [CHECKED]?: boolean;
  [STATE]?: GuardState;
  reallyExit?: (code: number) => never;
};

/**
 * Node's own exit, as it was when the kit loaded. `process.exit` and a natural exit emit 'exit' and then read
 * `process.exitCode`, which an 'exit' listener the app adds later could set back to 0: a failed gate ends the process
 * here instead, with 1, before any later listener runs.
 */
const reallyExit = (() => {
  const f = (process as GuardedProcess).reallyExit;
  return typeof f === 'function' ? f.bind(process) : undefined;
})();

/**
 * The gate's one 'exit' listener, however many copies of the kit are loaded: holds the assembly to what was judged
 * (when a gate judged one), and ends the process with 1 when the gate failed or the assembly changed.
 */
function onExit(code: number): void {
  const p = process as GuardedProcess;
  if (p[CHECKED] || underTestRunner()) return;
  p[CHECKED] = true;
  const s = p[STATE];
  const problems = s ? [...problemsOf(s, code === 0 && !p[FAILED])] : [];
  for (const [what, fix] of problems)
    process.stderr.write(`SpendSense policy gate: ${what}: synthesis fails; ${fix}\n`);
  if (!p[FAILED] && problems.length === 0) return;
  process.exitCode = 1;
  reallyExit?.(1);
}

function listenForExit(): void {
  const p = process as GuardedProcess;
  if (p[EXIT_GUARDED]) return;
  p[EXIT_GUARDED] = true;
  process.on('exit', onExit);
}

/**
 * Makes the process exit non-zero, even if the app later calls process.exit(0), resets process.exitCode or adds an
 * 'exit' listener that does.
 */
export function failProcess(message?: string): void {
  if (underTestRunner()) return;
  if (message) process.stderr.write(`${message}\n`);
  (process as GuardedProcess)[FAILED] = true;
  process.exitCode = 1;
  listenForExit();
}

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

interface GuardState {
  /** Hashes of the files the gate judged or wrote (templates, asset manifests, its reports), by absolute path. */
  readonly files: Map<string, string>;
  /** The directories of the cloud assemblies whose templates the gate judged. */
  readonly assemblies: Set<string>;
  /** Hashes of the manifests aws-cdk-lib wrote when synthesis returned, by absolute path. */
  readonly manifests: Map<string, string>;
  /** Gates attached to an app that were never run: the app was synthesized without them. */
  readonly unrun: Set<{ readonly ran: boolean }>;
  /** The nested stacks' judged templates, by absolute path, with the TemplateURL their parent deploys them from. */
  readonly nested: Map<string, TemplateObject>;
}

/** One state per process, shared by every copy of the kit loaded, with one exit check. */
function state(): GuardState {
  const p = process as NodeJS.Process & { [STATE]?: GuardState };
  if (p[STATE]) return p[STATE];
  const s: GuardState = {
    files: new Map(),
    assemblies: new Set(),
    manifests: new Map(),
    unrun: new Set(),
    nested: new Map(),
  };
  p[STATE] = s;
  listenForExit();
  return s;
}

/** Each problem as what was found, and how to put it right. */
function* problemsOf(s: GuardState, clean: boolean): Generator<readonly [string, string]> {
  // A run that fails anyway (a synthesis error before the gate ran) is not told the gate was skipped.
  if (clean && [...s.unrun].some((g) => !g.ran)) {
    yield [
      'the gate was attached to an app but never judged it',
      'synthesize the app after applyCompliance, with validation (not app.synth() or Template.fromStack() before it)',
    ];
  }
  const changed = [...s.files, ...s.manifests].filter(([file, hash]) => {
    try {
      return sha256(readFileSync(file)) !== hash;
    } catch {
      // A file removed is left to the CLI, which cannot deploy what is not there.
      return false;
    }
  });
  if (changed.length > 0) {
    yield [
      `${changed.length} file${changed.length === 1 ? '' : 's'} changed after the gate judged ${changed.length === 1 ? 'it' : 'them'} (${changed.map(([f]) => basename(f)).join(', ')})`,
      'remove whatever rewrites the cloud assembly after validation (a later validation plugin, code after app.synth(), another App writing to the same directory)',
    ];
  }
  for (const dir of s.assemblies) {
    const unjudged = unjudgedArtifacts(dir, s.files);
    if (unjudged.length > 0) {
      yield [
        `the cloud assembly ${basename(dir)} deploys ${unjudged.join(', ')}, which the gate did not judge`,
        'synthesize every stack in the app the gate is attached to, and leave manifest.json as aws-cdk-lib writes it',
      ];
    }
  }
  for (const what of swappedTemplates(s)) {
    yield [
      what,
      'let the stack synthesizer upload each template from the file aws-cdk-lib wrote for it (an addFileAsset that registers another file, or a command, for a template is refused)',
    ];
  }
}

/**
 * Each template the CLI would deploy from an S3 object that an asset of the assembly uploads from another file than
 * the template judged, builds with a command, or that no asset uploads: the stacks of every manifest (their
 * `stackTemplateAssetObjectUrl`) and the nested stacks the gate judged (their parent's TemplateURL).
 */
function* swappedTemplates(s: GuardState): Generator<string> {
  const manifests = new Map<string, AssemblyManifest | undefined>();
  const manifestOf = (dir: string) => {
    if (!manifests.has(dir)) manifests.set(dir, readManifest(dir));
    return manifests.get(dir);
  };
  const objects: TemplateObject[] = [...s.nested.values()];
  const walk = (dir: string, depth: number): void => {
    if (manifests.has(dir) || depth > 20) return;
    const manifest = manifestOf(dir);
    if (!manifest) return;
    objects.push(...stackTemplateObjects(dir, manifest));
    for (const a of Object.values(manifest.artifacts ?? {})) {
      const name = a.properties?.directoryName;
      if (a.type === 'cdk:cloud-assembly' && typeof name === 'string') walk(resolve(dir, name), depth + 1);
    }
  };
  for (const root of s.assemblies) walk(root, 0);
  const uploads = new Map<string, Upload[]>();
  for (const t of objects) {
    // A stack's template and its nested stacks' templates are uploaded by the asset manifests of its assembly.
    if (!uploads.has(t.dir)) uploads.set(t.dir, uploadsOf(t.dir, manifestOf(t.dir) ?? {}));
    // The judged template, or a judged file of the same content (another stack's identical nested template).
    const judged = s.files.get(t.file);
    const problem = unjudgedSource(
      t,
      uploads.get(t.dir)!,
      (p) => p === t.file || (!!judged && s.files.get(p) === judged),
    );
    if (problem) yield problem;
  }
}

interface ManifestArtifact {
  readonly type?: string;
  readonly properties?: { readonly templateFile?: unknown; readonly file?: unknown; readonly directoryName?: unknown };
}

/**
 * The templates and asset manifests `dir/manifest.json` (and the manifests of its nested assemblies) hands the CLI
 * that are not the files the gate judged: a stack artifact pointed at another file, one added by code or by another
 * App writing into the same directory, an asset manifest that would upload another file as a nested template.
 */
function unjudgedArtifacts(dir: string, judged: ReadonlyMap<string, string>, depth = 0): string[] {
  let text: string;
  try {
    text = readFileSync(join(dir, 'manifest.json'), 'utf8');
  } catch {
    // No manifest (removed, or never written): the CLI finds no assembly to deploy.
    return [];
  }
  const manifest = parsedManifest(text);
  if (!manifest) return [`a manifest.json that is not JSON`];
  const out: string[] = [];
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    const p = artifact.properties ?? {};
    const file =
      artifact.type === 'aws:cloudformation:stack'
        ? p.templateFile
        : artifact.type === 'cdk:asset-manifest'
          ? p.file
          : undefined;
    if (typeof file === 'string' && !judged.has(resolve(dir, file))) out.push(`${id} (${file})`);
    if (artifact.type === 'cdk:cloud-assembly' && typeof p.directoryName === 'string' && depth < 20) {
      out.push(...unjudgedArtifacts(resolve(dir, p.directoryName), judged, depth + 1));
    }
  }
  return out;
}

/**
 * Holds the cloud assembly in `dir` to what the gate judged, when the process exits: the files in `files` (path to
 * content), and the asset manifests beside them, unchanged, the assembly's manifest naming no other template, and each
 * template uploaded for the CLI, the stacks' and the `nested` stacks' (judged file, parent's TemplateURL), from the
 * file judged.
 */
export function guardAssembly(
  dir: string,
  files: ReadonlyMap<string, string>,
  nested: readonly { readonly stack: string; readonly file: string; readonly url: unknown }[] = [],
): void {
  if (underTestRunner()) return;
  const s = state();
  for (const [file, text] of files) s.files.set(resolve(file), sha256(text));
  for (const n of nested) s.nested.set(resolve(n.file), { ...n, file: resolve(n.file), dir: dirname(resolve(n.file)) });
  const root = resolve(dir);
  s.assemblies.add(root);
  // aws-cdk-lib writes the manifests before it runs validation plugins: one rewritten later (by the app, or by a
  // second App writing into the same directory) fails the process.
  recordManifests(s, root, 0);
  // Asset manifests are written with the templates, before validation: what they upload (a nested stack's template)
  // is judged as read now.
  for (const assemblyDir of new Set([root, ...[...files.keys()].map((f) => resolve(f, '..'))])) {
    let names: string[];
    try {
      names = readdirSync(assemblyDir);
    } catch {
      continue;
    }
    for (const name of names.filter((n) => n.endsWith('.assets.json'))) {
      const file = join(assemblyDir, name);
      s.files.set(file, sha256(readFileSync(file)));
    }
  }
}

function recordManifests(s: GuardState, dir: string, depth: number): void {
  let text: Buffer;
  try {
    text = readFileSync(join(dir, 'manifest.json'));
  } catch {
    return;
  }
  s.manifests.set(join(dir, 'manifest.json'), sha256(text));
  for (const artifact of Object.values(parsedManifest(text.toString('utf8'))?.artifacts ?? {})) {
    const name = artifact.properties?.directoryName;
    if (artifact.type === 'cdk:cloud-assembly' && typeof name === 'string' && depth < 20)
      recordManifests(s, resolve(dir, name), depth + 1);
  }
}

function readManifest(dir: string): AssemblyManifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as AssemblyManifest;
  } catch {
    return undefined;
  }
}

function parsedManifest(text: string): { artifacts?: Record<string, ManifestArtifact> } | undefined {
  try {
    return JSON.parse(text) as { artifacts?: Record<string, ManifestArtifact> };
  } catch {
    return undefined;
  }
}

/** Fails the process at exit unless `gate.ran` is true by then. */
export function expectRun(gate: { readonly ran: boolean }): void {
  if (underTestRunner()) return;
  state().unrun.add(gate);
}
