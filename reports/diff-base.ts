/**
 * Where `report --diff` finds the report to compare with: a directory holding report.json, a git ref (its committed
 * reports/report.json), or by default the committed reports at the merge base with the branch the change goes into.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ReportInputError } from './context';
import type { ReportDocument } from './diff';
import { REPORT_JSON } from './generate';

export interface DiffBase {
  readonly document: ReportDocument;
  /** For the diff's header: `reports/ at 1a2b3c4 (merge base with origin/main)`, `the directory old-reports`. */
  readonly label: string;
}

function git(args: readonly string[]): string | undefined {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
  } catch {
    return undefined;
  }
}

function parseDocument(text: string, origin: string): ReportDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ReportInputError(`--diff: ${origin} is not JSON; expected a report.json written by npm run report`);
  }
  const environments = (doc as { environments?: unknown } | null)?.environments;
  if (!Array.isArray(environments) || environments.some((e) => typeof (e as { name?: unknown }).name !== 'string')) {
    throw new ReportInputError(
      `--diff: ${origin} has no environments list; expected a report.json written by npm run report`,
    );
  }
  return doc as ReportDocument;
}

/** The branch a change goes into, as git knows it here: the pull request's base on CI, else origin's default or main. */
function intoBranch(): string | undefined {
  const candidates = [
    process.env.GITHUB_BASE_REF ? `origin/${process.env.GITHUB_BASE_REF}` : undefined,
    'origin/HEAD',
    'origin/main',
    'main',
    'master',
  ].filter((c): c is string => c !== undefined);
  return candidates.find((c) => git(['rev-parse', '--verify', '--quiet', `${c}^{commit}`]) !== undefined);
}

/** Loads the base: `given` (a directory or a git ref), else the merge base's committed `outDir`/report.json. */
export function loadDiffBase(given: string | undefined, outDir: string): DiffBase {
  if (given !== undefined && existsSync(given) && statSync(given).isDirectory()) {
    const file = join(given, REPORT_JSON);
    if (!existsSync(file)) throw new ReportInputError(`--diff ${given}: no ${REPORT_JSON} in that directory`);
    return { document: parseDocument(readFileSync(file, 'utf8'), file), label: `the report in ${given}` };
  }
  const path = relative(
    git(['rev-parse', '--show-toplevel']) ?? process.cwd(),
    join(process.cwd(), outDir, REPORT_JSON),
  )
    .split('\\')
    .join('/');
  let ref: string;
  let label: string;
  if (given !== undefined) {
    if (git(['rev-parse', '--verify', '--quiet', `${given}^{commit}`]) === undefined) {
      throw new ReportInputError(`--diff ${given}: neither a directory nor a git commit, branch or tag here`);
    }
    ref = given;
    label = `${outDir}/ at ${given}`;
  } else {
    const into = intoBranch();
    const mergeBase = into ? git(['merge-base', 'HEAD', into]) : undefined;
    if (mergeBase === undefined) {
      if (git(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']) === undefined) {
        throw new ReportInputError(
          '--diff: not in a git repository with a commit; give --diff DIR with a previous report',
        );
      }
      ref = 'HEAD';
      label = `${outDir}/ as committed at HEAD`;
    } else {
      ref = mergeBase;
      label = `${outDir}/ at ${mergeBase.slice(0, 7)} (merge base with ${into})`;
    }
  }
  const text = git(['show', `${ref}:${path}`]);
  if (text === undefined) throw new ReportInputError(`--diff: ${path} is not committed at ${ref}`);
  return { document: parseDocument(text, `${path} at ${ref}`), label };
}
