/**
 * The file assets of a stack, as its asset manifest (`<stack>.assets.json`) names them: what the CDK CLI uploads, and
 * where. A template that reads a document from S3 (a state machine definition of `DefinitionBody.fromFile`) reads one
 * of these; the gate reads the same file from the cloud assembly, and holds it unchanged to the end of the process.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Step Functions' own limit on a definition; a larger file is not one, and is not read. */
const MAX_ASSET_BYTES = 1024 * 1024;

export interface FileAssets {
  /**
   * The text of the app's file asset that a template's `{ Bucket, Key }` (as rendered) names, or undefined when no
   * file of the asset manifest is uploaded there (another bucket, an object the app does not stage, a directory).
   */
  textAt(bucket: unknown, key: unknown): string | undefined;
}

interface ManifestFile {
  readonly source?: { readonly path?: unknown; readonly packaging?: unknown };
  readonly destinations?: Record<string, { readonly bucketName?: unknown; readonly objectKey?: unknown }>;
}

/** None: for a template whose stack has no asset manifest (a custom synthesizer, a test that writes none). */
export const NO_FILE_ASSETS: FileAssets = { textAt: () => undefined };

/**
 * The file assets `manifestPath` declares. Each file read is recorded in `read` (absolute path to text), so that the
 * exit guard holds it as judged.
 */
export function fileAssetsOf(manifestPath: string, read: Map<string, string>): FileAssets {
  let files: Record<string, ManifestFile>;
  try {
    files = (JSON.parse(readFileSync(manifestPath, 'utf8')) as { files?: Record<string, ManifestFile> }).files ?? {};
  } catch {
    return NO_FILE_ASSETS;
  }
  return {
    textAt(bucket, key) {
      if (typeof key !== 'string') return undefined;
      const texts = new Set<string>();
      for (const file of Object.values(files)) {
        const uploadedThere = Object.values(file.destinations ?? {}).some(
          (d) => d.objectKey === key && typeof d.bucketName === 'string' && sameBucket(bucket, d.bucketName),
        );
        if (!uploadedThere) continue;
        const path = file.source?.path;
        if (typeof path !== 'string' || (file.source?.packaging ?? 'file') !== 'file') return undefined;
        const text = readSmallFile(resolve(dirname(manifestPath), path));
        if (text === undefined) return undefined;
        read.set(resolve(dirname(manifestPath), path), text);
        texts.add(text);
      }
      // Two files uploaded to one key: which one lands is not the gate's to know.
      return texts.size === 1 ? [...texts][0] : undefined;
    },
  };
}

/** The bucket as the template renders it (`{ Fn::Sub: <name> }` or the name itself) is the manifest's `bucketName`. */
function sameBucket(rendered: unknown, bucketName: string): boolean {
  if (rendered === bucketName) return true;
  if (rendered === null || typeof rendered !== 'object') return false;
  const entries = Object.entries(rendered);
  return entries.length === 1 && entries[0][0] === 'Fn::Sub' && entries[0][1] === bucketName;
}

function readSmallFile(file: string): string | undefined {
  try {
    const stat = statSync(file);
    if (!stat.isFile() || stat.size > MAX_ASSET_BYTES) return undefined;
    const bytes = readFileSync(file);
    const text = bytes.toString('utf8');
    // Bytes that are not UTF-8 text are no definition (and would not hash as the text read).
    return Buffer.from(text, 'utf8').equals(bytes) ? text : undefined;
  } catch {
    return undefined;
  }
}
