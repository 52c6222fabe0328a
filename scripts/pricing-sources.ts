/**
 * npm run pricing:sources
 *
 * Rewrites the records table of lib/pricing/snapshot/SOURCES.md from prices.json (atomically).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { loadSnapshot, SnapshotError } from '../lib/pricing/snapshot';
import { SOURCES_PATH, SourcesFileError, withSourcesTable } from '../lib/pricing/snapshot-sources';

try {
  const next = withSourcesTable(readFileSync(SOURCES_PATH, 'utf8'), loadSnapshot());
  const tmp = `${SOURCES_PATH}.${process.pid}.tmp`;
  writeFileSync(tmp, next);
  renameSync(tmp, SOURCES_PATH);
  console.log(`pricing:sources: wrote the records table of ${SOURCES_PATH}`);
} catch (err) {
  if (err instanceof SnapshotError || err instanceof SourcesFileError) {
    console.error(`pricing:sources: ${err.message}`);
    process.exit(2);
  }
  throw err;
}
