/**
 * Where the kit lives on the web, as absolute URLs for SARIF (`tool.driver.informationUri`, the kit rules' `helpUri`).
 * The first that names one, most exact first:
 * 1. package.json's `homepage`, an https URL (on GitHub, the catalogue on the default branch, `HEAD`);
 * 2. the hosted git repository and commit the app installed the kit from (npm records them in the app's lockfile), so
 *    the rules' documentation is that of exactly the version installed;
 * 3. the kit's own repository building on GitHub Actions, at the commit being built;
 * 4. package.json's `repository`, at its default branch.
 * Elsewhere (a packed tarball with neither field, a local checkout) there is no home to name, and SARIF leaves both out
 * rather than guess one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { KitManifest } from './setup';

export interface KitHome {
  /** The kit's home page. */
  readonly informationUri?: string;
  /** The page that documents the kit's rules (the policy catalogue). */
  readonly rulesHelpUri?: string;
}

/** The policy catalogue, relative to the repository's root. */
const RULES_DOC = 'docs/policies.md';
const RULES_ANCHOR = 'policy-catalogue';

/** `https://github.com/<owner>/<name>`, as package.json's homepage or GitHub Actions names a repository. */
const GITHUB_REPOSITORY_URL = /^https:\/\/[A-Za-z0-9.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const COMMIT = /^[0-9a-f]{40}$/;

type Manifest = Pick<KitManifest, 'homepage' | 'repository' | 'root'>;

export function kitHome(kit: Manifest, repositoryRoot: string, env: NodeJS.ProcessEnv = process.env): KitHome {
  return fromHomepage(kit) ?? fromInstall(kit) ?? fromActions(kit, repositoryRoot, env) ?? fromRepository(kit) ?? {};
}

function fromHomepage(kit: Manifest): KitHome | undefined {
  const homepage = typeof kit.homepage === 'string' ? kit.homepage.replace(/\/+$/, '') : undefined;
  if (!homepage || !/^https:\/\//.test(homepage)) return undefined;
  const repository = GITHUB_REPOSITORY_URL.test(homepage) && /^https:\/\/github\.com\//.test(homepage);
  return {
    informationUri: homepage,
    rulesHelpUri: repository ? `${homepage}/blob/HEAD/${RULES_DOC}#${RULES_ANCHOR}` : undefined,
  };
}

/** GitHub Actions names the repository and commit it builds; they are the kit's only when the kit is the app judged. */
function fromActions(kit: Manifest, repositoryRoot: string, env: NodeJS.ProcessEnv): KitHome | undefined {
  const { GITHUB_ACTIONS, GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_SHA } = env;
  if (GITHUB_ACTIONS !== 'true' || resolve(kit.root) !== resolve(repositoryRoot)) return undefined;
  const repository = `${GITHUB_SERVER_URL ?? ''}/${GITHUB_REPOSITORY ?? ''}`;
  if (!GITHUB_REPOSITORY_URL.test(repository) || !COMMIT.test(GITHUB_SHA ?? '')) return undefined;
  return { informationUri: repository, rulesHelpUri: `${repository}/blob/${GITHUB_SHA}/${RULES_DOC}#${RULES_ANCHOR}` };
}

/** package.json's `repository` (a URL, a `github:owner/name` shorthand, or `{ url }`), at its default branch. */
function fromRepository(kit: Manifest): KitHome | undefined {
  const field: unknown = kit.repository;
  const url = typeof field === 'string' ? field : (field as { url?: unknown } | undefined)?.url;
  return typeof url === 'string' ? hosted(url) : undefined;
}

/**
 * The git URL the app's npm lockfile records for the installed kit, `git+ssh://git@github.com/o/n.git#<commit>` for a
 * dependency on `github:o/n`. npm keeps a copy of the lockfile in node_modules (`.package-lock.json`); the project's
 * own `package-lock.json` or `npm-shrinkwrap.json` beside node_modules says the same. A kit installed from a registry
 * or a tarball has no git URL there.
 */
function fromInstall(kit: Manifest): KitHome | undefined {
  const root = resolve(kit.root);
  for (let dir = dirname(root); dir !== dirname(dir); dir = dirname(dir)) {
    if (basename(dir) !== 'node_modules') continue;
    const project = dirname(dir);
    const key = relative(project, root).split(sep).join('/');
    for (const lockfile of [
      join(dir, '.package-lock.json'),
      join(project, 'npm-shrinkwrap.json'),
      join(project, 'package-lock.json'),
    ]) {
      const resolved = lockedSource(lockfile, key);
      if (resolved !== undefined) return /^git\+/.test(resolved) ? hosted(resolved) : undefined;
    }
  }
  return undefined;
}

function lockedSource(lockfile: string, key: string): string | undefined {
  if (!existsSync(lockfile)) return undefined;
  try {
    const packages = (
      JSON.parse(readFileSync(lockfile, 'utf8')) as { packages?: Record<string, { resolved?: unknown }> }
    ).packages;
    const resolved = packages?.[key]?.resolved;
    return typeof resolved === 'string' ? resolved : undefined;
  } catch {
    // A lockfile npm cannot read either says nothing of where the kit came from.
    return undefined;
  }
}

/**
 * A git URL of a host whose pages hosted-git-info knows (GitHub, GitLab, Bitbucket, SourceHut), as browsable pages: the
 * repository, and the catalogue at the URL's commit or tag, else at the default branch (`HEAD`).
 */
function hosted(url: string): KitHome | undefined {
  // Loaded only when there is a git URL to read: a synth that names no home does not pay for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { fromUrl } = require('hosted-git-info') as typeof import('hosted-git-info');
  const info = fromUrl(url);
  if (!info) return undefined;
  const home = fromUrl(url.replace(/#.*$/, ''))?.browse();
  if (!home || !/^https:\/\//.test(home)) return undefined;
  return {
    informationUri: home,
    rulesHelpUri: info.browse(RULES_DOC, RULES_ANCHOR, { committish: info.committish || 'HEAD' }),
  };
}
