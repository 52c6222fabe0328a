/**
 * The official SARIF 2.1.0 JSON schema, as the SARIF SDK's multitool package ships it, compiled once with ajv.
 */
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

let validate: ReturnType<Ajv2020['compile']> | undefined;

/** Schema errors of `doc` as `path: message` lines; empty when it is valid SARIF 2.1.0. */
export function sarifSchemaErrors(doc: unknown): string[] {
  if (!validate) {
    // The schema sits in the platform package the multitool installs for this machine.
    const file = require.resolve(`@microsoft/sarif-multitool-${process.platform}/sarif-2.1.0.json`);
    // The schema's patterns are not all valid under the `u` flag.
    const ajv = new Ajv2020({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    validate = ajv.compile(JSON.parse(readFileSync(file, 'utf8')) as object);
  }
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? ''}`);
}
