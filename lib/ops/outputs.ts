import { isIP } from 'node:net';
import { readFile } from 'node:fs/promises';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { EnvironmentName, stackName } from '../profiles';
import { SERVICES } from './aws-clients';
import { awsCall } from './aws-errors';
import { EXIT, OpsError, errorMessage } from './errors';

import type { OutputKey } from '../database-stack';

export type StackOutputs = Readonly<Record<string, string>>;

/** Where a stack's outputs come from: a `cdk deploy --outputs-file` file, or CloudFormation. */
export type OutputsSource =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'cloudformation'; readonly client: CloudFormationClient };

export interface LoadedOutputs {
  readonly stackName: string;
  readonly outputs: StackOutputs;
  /** For messages: `outputs file cdk-outputs.json` or `CloudFormation stack SpendSense-Database-dev`. */
  readonly origin: string;
}

/** The outputs of one stack from the JSON that `cdk deploy --outputs-file` writes: `{ "<stack>": { "<key>": "..." } }`. */
export function outputsFromFileContent(content: string, path: string, stack: string): StackOutputs {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (err) {
    throw new OpsError(
      `outputs file ${path}: not JSON (${errorMessage(err)}); pass the file that 'cdk deploy --outputs-file' wrote`,
      EXIT.invalidInput,
    );
  }
  if (!isRecord(parsed)) {
    throw new OpsError(`outputs file ${path}: expected a JSON object keyed by stack name`, EXIT.invalidInput);
  }
  const entry = parsed[stack];
  if (!isRecord(entry)) {
    const present = Object.keys(parsed);
    throw new OpsError(
      `outputs file ${path}: no stack ${stack} (found: ${present.length ? present.join(', ') : 'none'}); deploy it with --outputs-file ${path}, or omit --outputs-file to read CloudFormation`,
      EXIT.invalidInput,
    );
  }
  const outputs: Record<string, string> = {};
  for (const [key, value] of Object.entries(entry)) {
    if (typeof value === 'string' || typeof value === 'number') outputs[key] = String(value);
  }
  return outputs;
}

export async function loadStackOutputs(env: EnvironmentName, source: OutputsSource): Promise<LoadedOutputs> {
  const stack = stackName(env);
  if (source.kind === 'file') {
    let content: string;
    try {
      content = await readFile(source.path, 'utf8');
    } catch (err) {
      throw new OpsError(
        `outputs file ${source.path}: cannot be read (${errorMessage(err)}); check the path or omit --outputs-file`,
        EXIT.invalidInput,
      );
    }
    return {
      stackName: stack,
      outputs: outputsFromFileContent(content, source.path, stack),
      origin: `outputs file ${source.path}`,
    };
  }
  const response = await awsCall({ ...SERVICES.cloudFormation, operation: 'DescribeStacks', resource: stack }, () =>
    source.client.send(new DescribeStacksCommand({ StackName: stack })),
  );
  const outputs: Record<string, string> = {};
  for (const o of response.Stacks?.[0]?.Outputs ?? []) {
    if (o.OutputKey && o.OutputValue !== undefined) outputs[o.OutputKey] = o.OutputValue;
  }
  return { stackName: stack, outputs, origin: `CloudFormation stack ${stack}` };
}

/** The named outputs, or one error listing every missing one. */
export function requireOutputs<K extends OutputKey>(
  loaded: LoadedOutputs,
  keys: readonly K[],
): Readonly<Record<K, string>> {
  const missing = keys.filter((k) => !loaded.outputs[k]);
  if (missing.length > 0) {
    throw new OpsError(
      `${loaded.origin}: missing output${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; redeploy ${loaded.stackName} with this kit's DatabaseStack`,
      EXIT.invalidInput,
    );
  }
  return Object.fromEntries(keys.map((k) => [k, loaded.outputs[k]])) as Record<K, string>;
}

/** A TCP port from an output such as `DatabasePort`. */
export function parsePort(value: string, what: string): number {
  const port = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new OpsError(`${what}: got '${value}', expected a TCP port from 1 to 65535`, EXIT.invalidInput);
  }
  return port;
}

const HOST_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/**
 * A host from an output such as `DatabaseEndpoint`: a DNS name (RFC 1123 labels) or an IP literal. Anything else (a
 * `/`, `?`, `#`, `@`, a space) would rewrite the connection string's host, database or sslmode when parsed.
 */
export function parseHost(value: string, what: string, fix = 'redeploy the stack or fix the outputs file'): string {
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  const ok =
    isIP(value) !== 0 || (name.length > 0 && name.length <= 253 && name.split('.').every((l) => HOST_LABEL.test(l)));
  if (!ok) {
    throw new OpsError(
      `${what}: got ${JSON.stringify(value.slice(0, 80))}, expected a host name or an IP address; ${fix}`,
      EXIT.invalidInput,
    );
  }
  return value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
