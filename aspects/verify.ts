/**
 * The gate outside the app's process: judges the templates of a cloud assembly (`cdk.out`) as the CDK CLI will deploy
 * them, with no code of the app loaded. The gate in the app (`applyCompliance`) runs inside the code it judges, which
 * can still end the process first or rewrite the assembly after it exits; this reads what is on disk when a pipeline
 * is about to deploy it, and judges every stack at least as strictly as the environment the pipeline names.
 *
 * It runs the kit's own rules (cdk-nag's packs need the app's construct tree) with the acknowledgements the assembly
 * records (`spendsense:acknowledgement` metadata), each covering its construct and those beneath it.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { EnvironmentName } from '../lib/profiles';
import { ACKNOWLEDGEMENT_METADATA, type DeclaredAcknowledgement, coversPath } from './acknowledgements';
import { fileAssetsOf } from './assets';
import { blocking, evaluateStack, type StackEvaluation } from './engine';
import { type ComplianceTarget, DEFAULT_MIN_BACKUP_RETENTION_DAYS } from './environment';
import { type Exported, Resolver } from './resolve';
import type { CfnTemplate } from './template';
import {
  type AssemblyManifest,
  type Upload,
  objectsNamed,
  stackTemplateObjects,
  unjudgedSource,
  uploadsOf,
} from './template-sources';

/** A cloud assembly the verifier cannot read: exit 2, nothing judged. */
export class AssemblyError extends Error {}

export interface VerifyOptions {
  /** The least strict environment any stack is judged in: the environment the pipeline deploys to. */
  readonly environment: EnvironmentName;
  /** Artifact ids or display names (`*` matches any run of characters) to judge; every stack when empty. */
  readonly stacks?: readonly string[];
  /** `YYYY-MM-DD` acknowledgements are judged on. */
  readonly today: string;
}

export interface Verification {
  readonly stacks: readonly StackEvaluation[];
  /** Templates the CLI would deploy from a file other than the one judged, or from a command. */
  readonly problems: readonly string[];
}

interface Template {
  readonly name: string;
  readonly file: string;
  readonly template: CfnTemplate;
  readonly dir: string;
  readonly environmentKey: string;
  /** Construct path (no leading `/`) -> metadata entries, of the top-level stack this template belongs to. */
  readonly metadata: ReadonlyMap<string, readonly { type: string; data: unknown }[]>;
  readonly parent?: Template;
  /** Its logical id in the parent's template, for a nested stack. */
  readonly nestedId?: string;
  /** Judged and reported (a stack named, or one a named stack depends on, which `cdk deploy` deploys with it). */
  selected: boolean;
  readonly artifactId: string;
  /** The artifact ids this stack's artifact depends on (stacks the CLI deploys first). */
  readonly dependencies: readonly string[];
  resolver?: Resolver;
  nestedIds?: Set<string>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new AssemblyError(`${what} ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
}

function readJson(file: string, what: string): unknown {
  const text = readText(file, what);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AssemblyError(`${what} ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
}

function matches(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(name);
}

/** `aws://<account>/<region>` as the resolver keys exports: `*` for a part left to deploy time. */
function environmentKeyOf(environment: unknown): string {
  const m = typeof environment === 'string' ? /^aws:\/\/([^/]+)\/(.+)$/.exec(environment) : null;
  const part = (v: string | undefined) => (!v || v.startsWith('unknown-') ? '*' : v);
  return `${part(m?.[1])}/${part(m?.[2])}`;
}

function metadataOf(dir: string, artifact: Record<string, unknown>): Map<string, { type: string; data: unknown }[]> {
  const extra =
    typeof artifact.additionalMetadataFile === 'string'
      ? readJson(resolve(dir, artifact.additionalMetadataFile), 'metadata')
      : {};
  const out = new Map<string, { type: string; data: unknown }[]>();
  for (const source of [artifact.metadata, extra]) {
    for (const [path, entries] of Object.entries(isRecord(source) ? source : {})) {
      const list = Array.isArray(entries) ? entries.filter(isRecord) : [];
      const key = path.replace(/^\//, '');
      out.set(key, [...(out.get(key) ?? []), ...list.map((e) => ({ type: String(e.type), data: e.data }))]);
    }
  }
  return out;
}

/** Every stack template of the assembly in `dir` and its nested assemblies, and the nested templates they deploy. */
function readAssembly(dir: string, selectors: readonly string[], problems: string[], depth = 0): Template[] {
  const manifest = readJson(join(dir, 'manifest.json'), 'cloud assembly manifest') as AssemblyManifest;
  if (!isRecord(manifest) || !isRecord(manifest.artifacts))
    throw new AssemblyError(`no artifacts in ${dir}/manifest.json`);
  const uploads = uploadsOf(dir, manifest);
  const out: Template[] = [];
  const artifacts = manifest.artifacts as NonNullable<AssemblyManifest['artifacts']>;
  for (const [id, artifact] of Object.entries(artifacts)) {
    const name =
      typeof (artifact as { displayName?: unknown }).displayName === 'string'
        ? String((artifact as { displayName?: unknown }).displayName)
        : id;
    if (artifact.type === 'cdk:cloud-assembly' && depth < 20) {
      const nested = artifact.properties?.directoryName;
      if (typeof nested === 'string') out.push(...readAssembly(resolve(dir, nested), selectors, problems, depth + 1));
      continue;
    }
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const templateFile = artifact.properties?.templateFile;
    if (typeof templateFile !== 'string') throw new AssemblyError(`stack ${name} names no template file`);
    const file = resolve(dir, templateFile);
    const text = readText(file, 'template');
    // What the CLI deploys is the object the template is uploaded as: it must come from this very file.
    for (const t of stackTemplateObjects(dir, { artifacts: { [id]: artifact } })) {
      const problem = unjudgedSource({ ...t, stack: name }, uploads, (p) => sameText(p, text));
      if (problem) problems.push(problem);
    }
    const top: Template = {
      name,
      file,
      template: readJson(file, 'template') as CfnTemplate,
      dir,
      environmentKey: environmentKeyOf((artifact as { environment?: unknown }).environment),
      metadata: metadataOf(dir, artifact),
      selected: selectors.length === 0 || selectors.some((s) => matches(s, id) || matches(s, name)),
      artifactId: id,
      dependencies:
        ((artifact as { dependencies?: unknown }).dependencies as string[] | undefined)?.filter(
          (d) => typeof d === 'string',
        ) ?? [],
    };
    out.push(top, ...nestedTemplates(top, uploads, problems));
  }
  return out;
}

function sameText(path: string, text: string): boolean {
  try {
    return readFileSync(path, 'utf8') === text;
  } catch {
    return false;
  }
}

/** The nested stacks a template deploys from an object an asset of its assembly uploads: each upload's file. */
function nestedTemplates(parent: Template, uploads: readonly Upload[], problems: string[], depth = 0): Template[] {
  const out: Template[] = [];
  parent.nestedIds = new Set();
  for (const [logicalId, resource] of Object.entries(parent.template.Resources ?? {})) {
    if (resource?.Type !== 'AWS::CloudFormation::Stack' || depth > 10) continue;
    const objects = objectsNamed(resource.Properties?.TemplateURL);
    const writers = uploads.filter((u) => u.targets.some((o) => objects.includes(o)));
    // A TemplateURL no asset of the app uploads is SS-CFN-002's: a template the gate never reads.
    if (writers.length === 0) continue;
    const files = new Set(
      writers.map((w) =>
        typeof w.source.path === 'string' &&
        w.source.executable === undefined &&
        (w.source.packaging ?? 'file') === 'file'
          ? resolve(w.base, w.source.path)
          : '',
      ),
    );
    const texts = new Set([...files].map((f) => (f ? readText(f, 'nested template') : '')));
    if (texts.size !== 1 || texts.has('')) {
      problems.push(`${parent.name}/${logicalId} deploys a nested template built by a command, or from several files`);
      continue;
    }
    const file = [...files][0];
    const nested: Template = {
      ...parent,
      name: `${parent.name}/${logicalId}`,
      file,
      template: readJson(file, 'template') as CfnTemplate,
      parent,
      nestedId: logicalId,
      nestedIds: undefined,
    };
    parent.nestedIds.add(logicalId);
    out.push(nested, ...nestedTemplates(nested, uploads, problems, depth + 1));
  }
  return out;
}

/** The acknowledgements the assembly records for the constructs of `t`'s top-level stack. */
function acknowledgementsOf(t: Template): DeclaredAcknowledgement[] {
  const out: DeclaredAcknowledgement[] = [];
  for (const [path, entries] of t.metadata) {
    for (const e of entries) {
      if (e.type !== ACKNOWLEDGEMENT_METADATA || !isRecord(e.data)) continue;
      // cdk-nag's packs need the app's construct tree and are not run here: their acknowledgements would be stale.
      if (!String(e.data.ruleId).startsWith('SS-')) continue;
      const field = (k: string) =>
        typeof e.data === 'object' && typeof (e.data as Record<string, unknown>)[k] === 'string'
          ? String((e.data as Record<string, unknown>)[k])
          : '';
      out.push({
        scope: path,
        origin: 'kit',
        ruleId: field('ruleId'),
        reason: field('reason'),
        owner: field('owner'),
        expires: field('expires'),
        subtree: true,
      });
    }
  }
  return out;
}

/** Judges the cloud assembly in `dir` as `options` says. */
export function verifyAssembly(dir: string, options: VerifyOptions): Verification {
  const problems: string[] = [];
  const templates = readAssembly(resolve(dir), options.stacks ?? [], problems);
  const unknown = (options.stacks ?? []).filter(
    (s) => !templates.some((t) => !t.parent && (matches(s, t.artifactId) || matches(s, t.name))),
  );
  if (unknown.length > 0) {
    throw new AssemblyError(
      `no stack of ${dir} is named ${unknown.join(', ')} (stacks: ${templates
        .filter((t) => !t.parent)
        .map((t) => t.name)
        .join(', ')})`,
    );
  }
  // `cdk deploy` deploys a stack's dependencies with it (unless --exclusively): they are judged as named ones.
  const byArtifact = new Map(templates.filter((t) => !t.parent).map((t) => [`${t.dir}\0${t.artifactId}`, t]));
  const pending = templates.filter((t) => !t.parent && t.selected);
  while (pending.length > 0) {
    const t = pending.pop()!;
    for (const id of t.dependencies) {
      const dependency = byArtifact.get(`${t.dir}\0${id}`);
      if (dependency && !dependency.selected) {
        dependency.selected = true;
        pending.push(dependency);
      }
    }
  }
  for (const t of templates) t.selected = topOf(t).selected;
  const exportsByName = new Map<string, Exported[]>();
  const resolvers: Resolver[] = [];
  const app = { exports: exportsByName, resolvers };
  for (const t of templates) {
    const passed =
      t.parent && t.nestedId
        ? ((t.parent.template.Resources?.[t.nestedId]?.Properties?.Parameters ?? {}) as Record<string, unknown>)
        : undefined;
    const parent = t.parent;
    t.resolver = new Resolver(
      t.name,
      t.template,
      app,
      passed
        ? (name) => (name in passed ? { value: passed[name], resolver: parent!.resolver! } : undefined)
        : undefined,
      t.environmentKey,
    );
    // A stack the pipeline does not deploy now is judged as prod where it reaches into one it does: fail closed.
    t.resolver.environment = t.selected ? options.environment : 'prod';
    resolvers.push(t.resolver);
    for (const output of Object.values(t.template.Outputs ?? {})) {
      const name = output.Export?.Name;
      if (typeof name === 'string')
        exportsByName.set(name, [...(exportsByName.get(name) ?? []), { resolver: t.resolver, value: output.Value }]);
    }
  }
  const target: ComplianceTarget = {
    environment: options.environment,
    nagPacks: [],
    minBackupRetentionDays: DEFAULT_MIN_BACKUP_RETENTION_DAYS[options.environment],
  };
  const evaluations: StackEvaluation[] = [];
  for (const t of templates.filter((x) => x.selected)) {
    const top = topOf(t);
    const ids = logicalIdIndex(t);
    const acknowledgements = acknowledgementsOf(top);
    const passed =
      t.parent && t.nestedId ? t.parent.template.Resources?.[t.nestedId]?.Properties?.Parameters : undefined;
    evaluations.push(
      evaluateStack({
        stackName: t.name,
        stackPath: top.name,
        target,
        template: t.template,
        resolver: t.resolver!,
        judgedNestedStacks: t.nestedIds ?? new Set(),
        fileAssets: fileAssetsOf(join(top.dir, `${top.artifactId}.assets.json`), new Map()),
        parentParameters: new Set(Object.keys(isRecord(passed) ? passed : {})),
        pathOf: (logicalId) => ids.pathOf.get(logicalId) ?? `${t.name}/${logicalId} (unclaimed)`,
        resourceAt: (path) => ids.resourceAt.get(path),
        nagFindings: [],
        acknowledgements: acknowledgements.filter((a) => [...ids.paths].some((p) => coversPath(a.scope, p))),
        today: options.today,
      }),
    );
  }
  return { stacks: evaluations, problems };
}

function topOf(t: Template): Template {
  return t.parent ? topOf(t.parent) : t;
}

/** Construct paths by logical id for `t`'s own resources, from the `aws:cdk:logicalId` metadata of its stack. */
function logicalIdIndex(t: Template) {
  const pathOf = new Map<string, string>();
  const resourceAt = new Map<string, { logicalId: string; type: string }>();
  const paths = new Set<string>();
  const resources = t.template.Resources ?? {};
  const claims = new Map<string, string[]>();
  for (const [path, entries] of topOf(t).metadata) {
    for (const e of entries) {
      if (e.type !== 'aws:cdk:logicalId' || typeof e.data !== 'string') continue;
      // A logical id of another template of the same stack (a nested stack's) belongs to that one's path.
      if (!resources[e.data] || !belongsTo(t, path)) continue;
      claims.set(e.data, [...(claims.get(e.data) ?? []), path]);
    }
  }
  for (const [logicalId, claimed] of claims) {
    // Metadata the app can write: a logical id two paths claim is claimed by neither, as in the app's gate, and its
    // findings stay at the stack, where only an acknowledgement of the whole stack reaches them.
    if (claimed.length !== 1) continue;
    pathOf.set(logicalId, claimed[0]);
    resourceAt.set(claimed[0], { logicalId, type: resources[logicalId].Type });
    paths.add(claimed[0]);
  }
  return { pathOf, resourceAt, paths };
}

/** Whether a construct path is `t`'s: under a nested stack's own path only when `t` is that nested stack. */
function belongsTo(t: Template, path: string): boolean {
  const nestedPrefixes = (x: Template): string[] =>
    [...(x.nestedIds ?? [])].map((id) => nestedPathOf(x, id)).filter((p): p is string => p !== undefined);
  if (t.parent && t.nestedId) {
    const own = nestedPathOf(t.parent, t.nestedId);
    if (!own || !coversPath(own, path)) return false;
  }
  return !nestedPrefixes(t).some((p) => coversPath(p, path));
}

/** The construct path of the nested stack that `parent`'s resource `logicalId` deploys, from its `.NestedStack` scope. */
function nestedPathOf(parent: Template, logicalId: string): string | undefined {
  for (const [path, entries] of topOf(parent).metadata) {
    if (entries.some((e) => e.type === 'aws:cdk:logicalId' && e.data === logicalId)) {
      // `<stack>/Inner.NestedStack/Inner.NestedStackResource` deploys the nested stack at `<stack>/Inner`.
      const m = /^(.*)\/([^/]+)\.NestedStack\/\2\.NestedStackResource$/.exec(path);
      if (m) return `${m[1]}/${m[2]}`;
    }
  }
  return undefined;
}

/** The results of a verification that block the deploy, and the one-line summary. */
export function verdictOf(v: Verification): { readonly blocking: number; readonly summary: string } {
  const results = v.stacks.flatMap((s) => s.results);
  const n = blocking(results).length + v.problems.length;
  return {
    blocking: n,
    summary: `SpendSense verify: ${v.stacks.length} stack${v.stacks.length === 1 ? '' : 's'} judged, ${n} blocking problem${n === 1 ? '' : 's'}`,
  };
}
