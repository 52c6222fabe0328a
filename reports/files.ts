/** Writing the reports with nothing half-written, and comparing them with what is on disk (`--check`). */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ReportFile } from './generate';

/**
 * Writes every file to a temporary directory inside `outDir`, then renames each into place: a reader sees either the
 * old or the new file, never a partial one, and a failure before the renames leaves `outDir` untouched.
 */
export function writeReportFiles(outDir: string, files: readonly ReportFile[]): string[] {
  mkdirSync(outDir, { recursive: true });
  const staging = mkdtempSync(join(outDir, '.report-'));
  try {
    for (const f of files) writeFileSync(join(staging, f.name), f.content);
    for (const f of files) renameSync(join(staging, f.name), join(outDir, f.name));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return files.map((f) => join(outDir, f.name));
}

export interface CheckOutcome {
  /** Files whose committed copy differs from the regenerated one, or is missing. */
  readonly outdated: readonly string[];
  /** Where the regenerated copies were written, for a diff. */
  readonly freshDir: string;
}

/** Regenerated files are written to a fresh temporary directory and compared byte for byte with `outDir`. */
export function checkReportFiles(outDir: string, files: readonly ReportFile[]): CheckOutcome {
  const freshDir = mkdtempSync(join(tmpdir(), 'spendsense-report-check-'));
  const outdated: string[] = [];
  for (const f of files) {
    writeFileSync(join(freshDir, f.name), f.content);
    const committed = join(resolve(outDir), f.name);
    if (!existsSync(committed) || readFileSync(committed, 'utf8') !== f.content) outdated.push(join(outDir, f.name));
  }
  return { outdated, freshDir };
}
