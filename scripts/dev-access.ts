/**
 * npm run dev-access -- --env <env> (--add [--ip auto|A.B.C.D] [--ttl 4h] | --remove | --list | --prune)
 *
 * Temporary access to the dev database from one address: a /32 rule on the database port whose description records
 * its owner, creation and expiry. Only rules this command created are ever listed or removed.
 */
import { userInfo } from 'node:os';
import yargs from 'yargs';
import { ENVIRONMENT_NAMES, profiles } from '../lib/profiles';
import { Budget, resolveRegion, cloudFormation, ec2 } from '../lib/ops/aws-clients';
import { AWS_COMMAND_OPTIONS, ScriptContext, runAsProcess, parseTimeout, usageError } from '../lib/ops/cli';
import {
  RevokeResult,
  DEFAULT_IP_SERVICE,
  DEFAULT_TTL,
  IP_SERVICE_ENV,
  addAccess,
  assertDevAccessAllowed,
  formatRule,
  hostCidr,
  isoSeconds,
  listAccessRules,
  lookupPublicIp,
  parseTtl,
  pruneAccess,
  removeAccess,
  resolveDatabaseGroup,
  validateOwner,
} from '../lib/ops/dev-access';

const ACTIONS = ['add', 'remove', 'list', 'prune'] as const;
const others = (action: (typeof ACTIONS)[number]) => ACTIONS.filter((a) => a !== action);
const ADD_ONLY = ['remove', 'list', 'prune'];

async function main(ctx: ScriptContext): Promise<void> {
  const args = await yargs([...ctx.argv])
    .scriptName('npm run dev-access --')
    .usage(
      '$0 --env <env> (--add [--ip auto|A.B.C.D] [--ttl 4h] | --remove | --list | --prune)\n\n' +
        "Opens the database port of an environment's security group to one address for a while (dev only).",
    )
    .options({
      env: { choices: ENVIRONMENT_NAMES, demandOption: true, describe: 'environment (only dev accepts such rules)' },
      add: { type: 'boolean', describe: 'admit your address /32 on the database port', conflicts: others('add') },
      remove: { type: 'boolean', describe: "remove the owner's rules", conflicts: others('remove') },
      list: { type: 'boolean', describe: 'list the rules this command created', conflicts: others('list') },
      prune: { type: 'boolean', describe: 'remove expired rules, whoever owns them', conflicts: others('prune') },
      ip: {
        type: 'string',
        describe: "address to admit: 'auto' asks the address service (default auto)",
        conflicts: ADD_ONLY,
      },
      ttl: {
        type: 'string',
        describe: `how long the rule lasts, 1m to 7d (default ${DEFAULT_TTL})`,
        conflicts: ADD_ONLY,
      },
      'ip-service': {
        type: 'string',
        describe: `address service for --ip auto (default ${IP_SERVICE_ENV} or ${DEFAULT_IP_SERVICE})`,
        conflicts: ADD_ONLY,
      },
      owner: {
        type: 'string',
        describe: 'owner recorded in the rule, and whose rules --remove removes (default: your OS user name)',
        conflicts: ['list', 'prune'],
      },
      'outputs-file': {
        type: 'string',
        describe: "stack outputs from 'cdk deploy --outputs-file'; without it, CloudFormation DescribeStacks",
      },
      ...AWS_COMMAND_OPTIONS,
    })
    .check((a) => {
      if (!ACTIONS.some((action) => a[action])) throw new Error('give one of --add, --remove, --list or --prune');
      return true;
    })
    .strict()
    .version(false)
    .help()
    .fail(usageError)
    .parseAsync();

  assertDevAccessAllowed(args.env);
  const now = new Date();
  const ttlMs = args.add ? parseTtl(args.ttl ?? DEFAULT_TTL) : 0;
  const owner = !(args.add || args.remove)
    ? ''
    : args.owner !== undefined
      ? validateOwner(args.owner, '--owner')
      : validateOwner(userInfo().username, 'OS user name');
  let cidr: string | undefined;
  if (args.add) {
    const ip = args.ip ?? 'auto';
    const service = args.ipService ?? process.env[IP_SERVICE_ENV] ?? DEFAULT_IP_SERVICE;
    cidr = ip === 'auto' ? hostCidr(await lookupPublicIp(service), service) : hostCidr(ip, '--ip');
  }

  const region = {
    region: await resolveRegion(args.region, profiles[args.env].region),
    budget: Budget.ofProcess(parseTimeout(args.timeout)),
  };
  const { groupId, port } = await resolveDatabaseGroup(
    args.env,
    args.outputsFile
      ? { kind: 'file', path: args.outputsFile }
      : { kind: 'cloudformation', client: cloudFormation(region) },
  );
  const client = ec2(region);
  const lost = ' (its answer was lost; the rules read back show it done)';
  const printRemoved = (removed: RevokeResult, what: string) => {
    if (removed.rules.length === 0) ctx.out(`no ${what} in ${groupId}; nothing removed`);
    else {
      ctx.out(`removed ${removed.rules.length} ${what} from ${groupId}${removed.confirmed === 'state' ? lost : ''}:`);
      removed.rules.forEach((r) => ctx.out(`  ${formatRule(r, now)}`));
    }
  };

  if (args.add && cidr) {
    const result = await addAccess({ ec2: client, groupId, port, cidr, owner, ttlMs, now });
    const where = `port ${port} of ${groupId}`;
    switch (result.status) {
      case 'added':
      case 'renewed':
        ctx.out(
          `${result.status} ${result.rule.ruleId}: ${result.rule.cidr} on ${where} for ${owner} until ${isoSeconds(result.rule.expires)}${result.confirmed === 'state' ? lost : ''}`,
        );
        ctx.out(`remove it with: npm run dev-access -- --env ${args.env} --remove`);
        break;
      case 'present':
        ctx.out(
          `present ${result.rule.ruleId}: ${result.rule.cidr} on ${where} for ${owner} until ${isoSeconds(result.rule.expires)}, added by another run at ${isoSeconds(result.rule.created)}; nothing changed`,
        );
        break;
      case 'owned-by-other':
        ctx.out(
          `${cidr} already has access to ${where} through ${result.rule.ruleId}, the dev-access rule of owner ${result.rule.owner} (expires ${isoSeconds(result.rule.expires)}); nothing changed: it is not taken over, and goes when ${result.rule.owner} removes it or it expires`,
        );
        break;
      case 'already-allowed':
        ctx.out(
          `${cidr} already has access to ${where} through ${result.rule.ruleId} (${result.rule.cidr}, ${result.rule.description ? `'${result.rule.description}'` : 'no description'}), a rule dev-access did not create; nothing changed`,
        );
        break;
    }
  } else if (args.remove) {
    printRemoved(await removeAccess(client, groupId, owner), `dev-access rules of owner ${owner}`);
  } else if (args.prune) {
    printRemoved(await pruneAccess(client, groupId, now), 'expired dev-access rules');
  } else {
    const rules = await listAccessRules(client, groupId);
    if (rules.length === 0) ctx.out(`no dev-access rules in ${groupId}`);
    rules.forEach((r) => ctx.out(formatRule(r, now)));
  }
}

runAsProcess('dev-access', main, { out: (l) => console.log(l), err: (l) => console.error(l) });
