/**
 * npm run db:test -- (--env <env> | --secret-id ID | --connection-string URL) [--ca-file PEM]
 *   [--sslmode MODE] [--timeout MS] [--json]
 *
 * Connects with pg, runs `select version()`, and reports server version, TLS, latency, database and user.
 * `--sslmode`: disable, require, verify-ca or verify-full (lib/ops/sslmode.ts says what each verifies).
 */
import yargs from 'yargs';
import { connectionSecretName } from '../lib/database-stack';
import { ENVIRONMENT_NAMES, profiles } from '../lib/profiles';
import { Budget, resolveRegion, secretsManager } from '../lib/ops/aws-clients';
import { ScriptContext, describeFailure, parseTimeout, runAsProcess, usageError } from '../lib/ops/cli';
import { ConnectionTarget, parseConnectionString } from '../lib/ops/connection-string';
import {
  DEFAULT_TIMEOUT_MS,
  formatConnectionReport,
  readCaFile,
  readSecretTarget,
  testConnection,
} from '../lib/ops/connection-test';
import { DEFAULT_SSL_MODE, SSL_MODES, SslMode, parseSslMode } from '../lib/ops/sslmode';
import { EXIT, OpsError } from '../lib/ops/errors';

async function main(ctx: ScriptContext): Promise<void> {
  const args = await yargs([...ctx.argv])
    .scriptName('npm run db:test --')
    .usage(
      '$0 (--env <env> | --secret-id ID | --connection-string URL) [--ca-file PEM] [--sslmode MODE] [--timeout MS] [--json]\n\n' +
        'Connects, runs select version() and reports server version, TLS, latency, database and user.',
    )
    .options({
      env: {
        choices: ENVIRONMENT_NAMES,
        describe: 'read the connection secret spendsense/<env>/database/connection',
        conflicts: ['secret-id', 'connection-string'],
      },
      'secret-id': {
        type: 'string',
        describe: 'read this Secrets Manager secret (name or ARN) instead',
        conflicts: ['env', 'connection-string'],
      },
      'connection-string': {
        type: 'string',
        describe: 'postgresql://user:password@host:port/database (never printed)',
        conflicts: ['env', 'secret-id'],
      },
      'ca-file': {
        type: 'string',
        describe: 'PEM bundle of trusted CAs, e.g. the RDS global-bundle.pem (verify-full)',
      },
      sslmode: {
        type: 'string',
        describe: `TLS mode: ${SSL_MODES.join(', ')} (default ${DEFAULT_SSL_MODE}, or the connection string's sslmode)`,
      },
      timeout: { type: 'string', default: String(DEFAULT_TIMEOUT_MS), describe: 'budget for the whole test, in ms' },
      json: { type: 'boolean', default: false, describe: 'print one JSON object instead of text' },
      region: { type: 'string', describe: 'AWS region for --env / --secret-id (default: AWS_REGION or the profile)' },
    })
    .check((a) => {
      if (a.env === undefined && a.secretId === undefined && a.connectionString === undefined) {
        throw new Error('give one of --env, --secret-id or --connection-string');
      }
      return true;
    })
    .strict()
    .version(false)
    .help()
    .fail(usageError)
    .parseAsync();

  try {
    const budget = Budget.ofProcess(parseTimeout(args.timeout));
    let target: ConnectionTarget;
    let sslmode: SslMode | undefined = args.sslmode === undefined ? undefined : parseSslMode(args.sslmode, '--sslmode');
    if (args.connectionString !== undefined) {
      ctx.redactor.add(args.connectionString);
      const parsed = parseConnectionString(args.connectionString);
      target = parsed.target;
      if (parsed.sslmode && sslmode && parsed.sslmode !== sslmode) {
        throw new OpsError(
          `sslmode: the connection string says '${parsed.sslmode}' and --sslmode '${sslmode}'; give one`,
          EXIT.invalidInput,
        );
      }
      sslmode ??= parsed.sslmode;
    } else {
      const secretId = args.secretId ?? connectionSecretName(args.env!);
      target = await readSecretTarget(
        secretsManager({ region: await resolveRegion(args.region, args.env && profiles[args.env].region), budget }),
        secretId,
      );
    }
    ctx.redactor.add(target.password);
    const ca = args.caFile === undefined ? undefined : await readCaFile(args.caFile);
    const report = await testConnection({
      target,
      sslmode: sslmode ?? DEFAULT_SSL_MODE,
      ca,
      timeoutMs: budget.remaining(),
      budgetMs: budget.ms,
    });
    if (args.json) ctx.out(JSON.stringify({ ok: true, ...report }));
    else formatConnectionReport(report).forEach((line) => ctx.out(line));
  } catch (err) {
    if (args.json) ctx.out(JSON.stringify({ ok: false, error: describeFailure(err, ctx.redactor) }));
    throw err;
  }
}

runAsProcess('db:test', main, { out: (l) => console.log(l), err: (l) => console.error(l) });
