/**
 * npm run secret:sync -- --env <env> [--outputs-file cdk-outputs.json] [--dry-run] [--region R]
 *
 * Writes the connection secret of an environment from its credentials secret and stack outputs.
 */
import yargs from 'yargs';
import { ENVIRONMENT_NAMES, profiles } from '../lib/profiles';
import { Budget, resolveRegion, cloudFormation, secretsManager } from '../lib/ops/aws-clients';
import { AWS_COMMAND_OPTIONS, ScriptContext, runAsProcess, parseTimeout, usageError } from '../lib/ops/cli';
import { FieldChange } from '../lib/ops/connection-secret';
import { syncConnectionSecret } from '../lib/ops/secret-sync';

/** One diff line; values appear only where the change carries them (non-secret fields). */
function changeLine(c: FieldChange): string {
  const shown = (value: string | undefined) => value ?? '(value not shown)';
  if (c.change === 'added') return `  ${c.field}: added ${shown(c.after)}`;
  if (c.change === 'removed') return `  ${c.field}: removed ${shown(c.before)}`;
  if (c.before === undefined && c.after === undefined) return `  ${c.field}: changed (value not shown)`;
  return `  ${c.field}: changed ${shown(c.before)} -> ${shown(c.after)}`;
}

async function main(ctx: ScriptContext): Promise<void> {
  const args = await yargs([...ctx.argv])
    .scriptName('npm run secret:sync --')
    .usage(
      '$0 --env <env> [--outputs-file F] [--dry-run] [--region R]\n\n' +
        'Writes spendsense/<env>/database/connection from the credentials secret and the stack outputs. ' +
        'Writes nothing when the stored value is already right.',
    )
    .options({
      env: { choices: ENVIRONMENT_NAMES, demandOption: true, describe: 'environment whose stack to read' },
      'outputs-file': {
        type: 'string',
        describe: "stack outputs from 'cdk deploy --outputs-file'; without it, CloudFormation DescribeStacks",
      },
      'dry-run': {
        type: 'boolean',
        default: false,
        describe: 'show which fields would change (values of secret fields never shown); write nothing',
      },
      ...AWS_COMMAND_OPTIONS,
    })
    .strict()
    .version(false)
    .help()
    .fail(usageError)
    .parseAsync();

  const region = {
    region: await resolveRegion(args.region, profiles[args.env].region),
    budget: Budget.ofProcess(parseTimeout(args.timeout)),
  };
  const result = await syncConnectionSecret({
    env: args.env,
    outputs: args.outputsFile
      ? { kind: 'file', path: args.outputsFile }
      : { kind: 'cloudformation', client: cloudFormation(region) },
    secretsManager: secretsManager(region),
    dryRun: args.dryRun,
    redactor: ctx.redactor,
  });

  const target = `connection secret ${result.connectionSecretId}`;
  switch (result.status) {
    case 'unchanged':
      ctx.out(
        `${target} already matches ${result.credentialsSecretId} and the ${result.outputsOrigin}; nothing written`,
      );
      break;
    case 'dry-run':
      ctx.out(`dry run: would write ${target} (from ${result.outputsOrigin}):`);
      result.changes.forEach((c) => ctx.out(changeLine(c)));
      ctx.out('nothing written (--dry-run)');
      break;
    case 'written':
      ctx.out(
        `wrote ${target} (from ${result.outputsOrigin}), version ${result.versionId ?? 'unknown'}; read back and verified${result.confirmed === 'state' ? " (the write's answer was lost; the value read back is the one written)" : ''}:`,
      );
      result.changes.forEach((c) => ctx.out(changeLine(c)));
      break;
  }
}

runAsProcess('secret:sync', main, { out: (l) => console.log(l), err: (l) => console.error(l) });
