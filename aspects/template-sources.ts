/**
 * Where the CDK CLI takes each stack's template from when it deploys: not the template file itself, but an S3 object
 * (a stack artifact's `stackTemplateAssetObjectUrl`, a nested stack's `TemplateURL`) that an asset of the cloud
 * assembly uploads. A stack synthesizer registers that asset, and can name any file, or a command, as its source.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';

/** The part of a cloud assembly's manifest.json read here. */
export interface AssemblyManifest {
  readonly artifacts?: Record<
    string,
    {
      readonly type?: string;
      readonly properties?: Record<string, unknown>;
      readonly metadata?: Record<string, unknown>;
      readonly additionalMetadataFile?: unknown;
    }
  >;
}

/** A template the CLI deploys from an S3 object: by `url`, an `s3://` URL or a rendered TemplateURL. */
export interface TemplateObject {
  readonly stack: string;
  /** The judged template file, absolute. */
  readonly file: string;
  readonly url: unknown;
  /** The cloud assembly whose assets upload it. */
  readonly dir: string;
}

/** What the CLI uploads for one asset: an asset manifest's file entry, or a legacy synthesizer's asset metadata. */
export interface Upload {
  readonly source: { readonly path?: unknown; readonly executable?: unknown; readonly packaging?: unknown };
  /** The directory a relative `source.path` is resolved from. */
  readonly base: string;
  /** The objects it writes: `s3://bucket/key` for each destination, `param:Name` for a legacy asset's parameters. */
  readonly targets: readonly string[];
}

const readJson = (file: string): unknown => {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
};
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const recordsOf = (v: unknown): Record<string, unknown>[] => (isRecord(v) ? Object.values(v).filter(isRecord) : []);

/** The stacks of the assembly in `dir` whose template the CLI deploys from an uploaded object. */
export function stackTemplateObjects(dir: string, manifest: AssemblyManifest): TemplateObject[] {
  return Object.entries(manifest.artifacts ?? {}).flatMap(([id, a]) => {
    const file = a.properties?.templateFile;
    const url = a.properties?.stackTemplateAssetObjectUrl;
    return a.type === 'aws:cloudformation:stack' && typeof file === 'string' && url !== undefined
      ? [{ stack: id, file: resolve(dir, file), url, dir }]
      : [];
  });
}

/** Every file upload the assets of the assembly in `dir` make (docker images are not templates). */
export function uploadsOf(dir: string, manifest: AssemblyManifest): Upload[] {
  const out: Upload[] = [];
  for (const a of Object.values(manifest.artifacts ?? {})) {
    const file = a.properties?.file;
    if (a.type === 'cdk:asset-manifest' && typeof file === 'string') {
      const path = resolve(dir, file);
      const files = (readJson(path) as { files?: unknown } | undefined)?.files;
      for (const entry of recordsOf(files)) {
        const targets = recordsOf(entry.destinations).map((d) => `s3://${String(d.bucketName)}/${String(d.objectKey)}`);
        out.push({ source: isRecord(entry.source) ? entry.source : {}, base: dirname(path), targets });
      }
    }
    if (a.type !== 'aws:cloudformation:stack') continue;
    // LegacyStackSynthesizer: assets in the stack's metadata, the template given the object by parameters.
    const extra = typeof a.additionalMetadataFile === 'string' ? readJson(resolve(dir, a.additionalMetadataFile)) : {};
    for (const entries of [...Object.values(a.metadata ?? {}), ...Object.values(isRecord(extra) ? extra : {})]) {
      for (const e of Array.isArray(entries) ? (entries as unknown[]).filter(isRecord) : []) {
        if (e.type !== 'aws:cdk:asset' || !isRecord(e.data)) continue;
        const params = [e.data.s3BucketParameter, e.data.s3KeyParameter].filter((p) => typeof p === 'string');
        out.push({ source: e.data, base: dir, targets: params.map((p) => `param:${p}`) });
      }
    }
  }
  return out;
}

/**
 * The objects `url` names: `s3://bucket/key` for an `s3://` URL or an S3 https URL (literal, or joined from literals,
 * pseudo parameters and `Fn::Sub`), and `param:Name` for each template parameter it refers to.
 */
export function objectsNamed(url: unknown): string[] {
  const out: string[] = [];
  const text = flatten(url);
  if (text !== undefined && !/\$\{(?!AWS::)/.test(text)) {
    const m =
      /^s3:\/\/([^/]+)\/(.+)$/.exec(text) ??
      /^https:\/\/s3[.-][^/]*\/([^/]+)\/(.+)$/.exec(text) ??
      /^https:\/\/([^/]+)\.s3[.-][^/]*\/(.+)$/.exec(text);
    if (m) out.push(`s3://${m[1]}/${m[2]}`);
  }
  const refs = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(refs);
    else if (isRecord(v)) {
      if (typeof v.Ref === 'string' && !v.Ref.startsWith('AWS::')) out.push(`param:${v.Ref}`);
      Object.values(v).forEach(refs);
    }
  };
  refs(url);
  return out;
}

/** A TemplateURL as one string, `${AWS::Region}` for a pseudo parameter; undefined for anything else. */
function flatten(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (!isRecord(v) || Object.keys(v).length !== 1) return undefined;
  if (typeof v.Ref === 'string') return v.Ref.startsWith('AWS::') ? `\${${v.Ref}}` : undefined;
  if (typeof v['Fn::Sub'] === 'string') return v['Fn::Sub'];
  const join = v['Fn::Join'];
  if (!Array.isArray(join) || typeof join[0] !== 'string' || !Array.isArray(join[1])) return undefined;
  const parts = (join[1] as unknown[]).map(flatten);
  return parts.every((p) => p !== undefined) ? parts.join(join[0]) : undefined;
}

/**
 * Why the object `t` is deployed from is not its judged template, or undefined when it is: every upload to that object
 * packages a file `isJudged` accepts (the judged template, or a judged file of the same content), and there is one.
 */
export function unjudgedSource(
  t: TemplateObject,
  uploads: readonly Upload[],
  isJudged: (path: string) => boolean,
): string | undefined {
  const objects = objectsNamed(t.url);
  const writers = uploads.filter((u) => u.targets.some((o) => objects.includes(o)));
  const name = `${t.stack} deploys its template`;
  if (writers.length === 0)
    return `${name} (${basename(t.file)}) from ${describe(flatten(t.url) ?? t.url)}, which no asset of the cloud assembly uploads, so the gate cannot match it to the template it judged`;
  for (const { source, base } of writers) {
    if (source.executable !== undefined)
      return `${name} from the output of a command (${describe(source.executable)}), which the gate did not judge`;
    const path = typeof source.path === 'string' ? resolve(base, source.path) : undefined;
    if (!path || (source.packaging ?? 'file') !== 'file' || !isJudged(path))
      return `${name} from ${path ? relative(t.dir, path) : describe(source.path)}${source.packaging === 'zip' ? ' (zipped)' : ''}, which the gate did not judge (it judged ${basename(t.file)})`;
  }
  return undefined;
}

const describe = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v))).slice(0, 120);
