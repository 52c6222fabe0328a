/**
 * A broken setup must never pass silently. The gate's checks only hold when the app, the kit and cdk-nag share one copy
 * of aws-cdk-lib and constructs: cdk-nag's rules test `node instanceof CfnBucket` against the class of *their* copy, so a
 * second copy (a linked install, a mismatched version) makes every rule "not applicable" and every stack look clean.
 *
 * Checked when the gate is attached and again when it judges, after the app has loaded everything it uses.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { App, CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { satisfies } from 'semver';

/** The packages the kit must share with the app it judges: its peer dependencies. */
export const PEER_PACKAGES = ['aws-cdk-lib', 'constructs', 'cdk-nag'] as const;
export type PeerPackage = (typeof PEER_PACKAGES)[number];

export class SetupError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'SetupError';
    // An expected failure of the user's setup: the message says what and how to fix it; the kit's frames would not help.
    this.stack = `${this.name}: ${this.message}`;
  }
}

export interface KitManifest {
  readonly name: string;
  readonly version: string;
  readonly homepage?: string;
  /** A URL or shorthand (`github:owner/name`), or `{ type, url }`, as npm allows. */
  readonly repository?: string | { readonly url?: string };
  readonly peerDependencies: Readonly<Record<PeerPackage, string>>;
  /** The directory that holds it: the repository's root, or the installed package's. */
  readonly root: string;
}

let manifest: KitManifest | undefined;

/** The kit's own package.json: beside `aspects/` in the repository, beside `dist/` in the installed package. */
export function kitManifest(): KitManifest {
  if (manifest) return manifest;
  for (let dir = __dirname, i = 0; i < 4; i++, dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Omit<KitManifest, 'root'>;
    if (parsed.name === 'spendsense-database-kit') return (manifest = { ...parsed, root: dir });
  }
  throw new SetupError([
    `spendsense-database-kit: its package.json was not found above ${__dirname}; reinstall the kit`,
  ]);
}

/** The root directory of a package, from the path of one of its loaded files. */
function packageRoot(file: string, name: PeerPackage): string | undefined {
  const marker = `${sep}node_modules${sep}${name}${sep}`;
  const i = file.lastIndexOf(marker);
  return i < 0 ? undefined : file.slice(0, i + marker.length - 1);
}

function addCopies(copies: Map<PeerPackage, string[]>, files: Iterable<string>): void {
  for (const file of files) {
    for (const name of PEER_PACKAGES) {
      const root = packageRoot(file, name);
      if (root && !copies.get(name)!.includes(root)) copies.get(name)!.push(root);
    }
  }
}

const emptyCopies = () => new Map<PeerPackage, string[]>(PEER_PACKAGES.map((p) => [p, []]));
/** This process' loaded modules seen so far: each synthesis only looks at the modules loaded since the last one. */
const processCopies = emptyCopies();
const scannedModules = new Set<string>();

/** Every copy of each peer package this process has loaded (or of `files`), by its root directory. */
export function loadedCopies(files?: readonly string[]): Map<PeerPackage, string[]> {
  if (files) {
    const copies = emptyCopies();
    addCopies(copies, files);
    return copies;
  }
  const fresh = Object.keys(require.cache).filter((f) => !scannedModules.has(f));
  fresh.forEach((f) => scannedModules.add(f));
  addCopies(processCopies, fresh);
  return new Map([...processCopies].map(([name, roots]) => [name, [...roots]]));
}

/** Versions of loaded packages, read once per process: a loaded module's package does not change under it. */
const versions = new Map<string, string | undefined>();

function versionAt(root: string): string | undefined {
  if (!versions.has(root)) {
    try {
      versions.set(
        root,
        (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version,
      );
    } catch {
      versions.set(root, undefined);
    }
  }
  return versions.get(root);
}

const FIX_COPIES =
  "install the kit from its packed tarball or a registry (not a linked directory) so that it uses the app's own copy, then run `npm dedupe` and check with `npm ls aws-cdk-lib constructs cdk-nag`";

/** The process' setup problems as last computed, and how many package copies they were computed for. */
let lastProblems: { readonly copies: number; readonly problems: readonly string[] } | undefined;

/**
 * Problems of the setup, one line each: several copies, versions outside the kit's peer ranges. Without `files`, those
 * of this process, computed again only when it has loaded a copy it had not (each synthesis asks twice).
 */
export function setupProblems(files?: readonly string[]): string[] {
  const copies = loadedCopies(files);
  const count = [...copies.values()].reduce((n, roots) => n + roots.length, 0);
  if (!files && lastProblems?.copies === count) return [...lastProblems.problems];
  const problems = problemsOf(copies);
  if (!files) lastProblems = { copies: count, problems };
  return [...problems];
}

function problemsOf(copies: ReadonlyMap<PeerPackage, readonly string[]>): string[] {
  const problems: string[] = [];
  const { peerDependencies } = kitManifest();
  for (const [name, roots] of copies) {
    if (roots.length > 1) {
      const listed = roots.map((r) => `${r} (${versionAt(r) ?? 'unknown version'})`).join(', ');
      problems.push(`${name}: ${roots.length} copies are loaded in one app: ${listed}; ${FIX_COPIES}`);
    }
    for (const root of roots) {
      const version = versionAt(root);
      const range = peerDependencies[name];
      if (version && range && !satisfies(version, range, { includePrerelease: true })) {
        problems.push(
          `${name}: version ${version} at ${root} is outside the kit's supported range ${range}; install ${name}@'${range}' in the app`,
        );
      }
    }
  }
  return problems;
}

/** The app's constructs come from the kit's copy of aws-cdk-lib: otherwise `instanceof` fails quietly everywhere. */
export function treeProblems(root: IConstruct): string[] {
  const problems: string[] = [];
  const app = root.node.root;
  if (App.isApp(app) && !(app instanceof App)) {
    problems.push(`aws-cdk-lib: the app was created by another copy of aws-cdk-lib than the kit's; ${FIX_COPIES}`);
  }
  // Marked as a CfnResource (a symbol shared by every copy) but not an instance of this copy's class.
  const foreign: IConstruct[] = root.node
    .findAll()
    .filter((c) => CfnResource.isCfnResource(c) && !((c as object) instanceof CfnResource));
  if (foreign.length > 0) {
    problems.push(
      `aws-cdk-lib: ${foreign.length} resources (first ${foreign[0].node.path}) were made by another copy of aws-cdk-lib than the kit's and cdk-nag's, whose rules cannot examine them; ${FIX_COPIES}`,
    );
  }
  return problems;
}

/** Throws `SetupError` naming every problem of the setup. */
export function assertSetup(root: IConstruct): void {
  const problems = [...new Set([...setupProblems(), ...treeProblems(root)])];
  if (problems.length > 0) throw new SetupError(problems);
}
