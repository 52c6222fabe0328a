/**
 * Where the kit lives on the web, as absolute URLs for SARIF (`tool.driver.informationUri`, the kit rules' `helpUri`):
 * package.json's `homepage` when it has one; else, when the app judged is the kit's own repository building on GitHub
 * Actions, that repository and the commit being built (the rule documentation of exactly that version). Elsewhere
 * there is no home to name, and SARIF leaves both out rather than guess one.
 */
import { resolve } from 'node:path';
import type { KitManifest } from './setup';

export interface KitHome {
  /** The kit's home page. */
  readonly informationUri?: string;
  /** The page that documents the kit's rules (the policy catalogue). */
  readonly rulesHelpUri?: string;
}

/** The policy catalogue, relative to the repository's root. */
const RULES_DOC = 'docs/policies.md#policy-catalogue';

/** `https://github.com/<owner>/<name>`, as package.json's homepage or GitHub Actions names a repository. */
const GITHUB_REPOSITORY_URL = /^https:\/\/[A-Za-z0-9.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

export function kitHome(
  kit: Pick<KitManifest, 'homepage' | 'root'>,
  repositoryRoot: string,
  env: NodeJS.ProcessEnv = process.env,
): KitHome {
  const homepage = typeof kit.homepage === 'string' ? kit.homepage.replace(/\/+$/, '') : undefined;
  if (homepage && /^https?:\/\//.test(homepage)) {
    const repository = GITHUB_REPOSITORY_URL.test(homepage) && /^https:\/\/github\.com\//.test(homepage);
    return { informationUri: homepage, rulesHelpUri: repository ? `${homepage}/blob/main/${RULES_DOC}` : undefined };
  }
  // GitHub Actions names the repository and commit it builds; they are the kit's only when the kit is the app judged.
  const { GITHUB_ACTIONS, GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_SHA } = env;
  if (GITHUB_ACTIONS !== 'true' || resolve(kit.root) !== resolve(repositoryRoot)) return {};
  const repository = `${GITHUB_SERVER_URL ?? ''}/${GITHUB_REPOSITORY ?? ''}`;
  if (!GITHUB_REPOSITORY_URL.test(repository) || !/^[0-9a-f]{40}$/.test(GITHUB_SHA ?? '')) return {};
  return { informationUri: repository, rulesHelpUri: `${repository}/blob/${GITHUB_SHA}/${RULES_DOC}` };
}
