/**
 * The CDK app the red-team suite hands to `cdk synth --app`: it builds one case into a fresh App, attaches a gate and
 * synthesizes, exactly as a team's own app would.
 *
 *   SPENDSENSE_REDTEAM_CASE   the case name (test/redteam/cases.ts)
 *   SPENDSENSE_REDTEAM_GATE   kit (default) | nag | guard | none
 *   SPENDSENSE_REDTEAM_GUARD_PATH  where @cdklabs/cdk-validator-cfnguard is installed, when not in node_modules
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, IPolicyValidationPlugin, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import * as kit from '../..';
import { CASE_ENV, caseNamed, Gate, GATE_ENV, GUARD_PATH_ENV, isGate, RedteamCase } from './cases';
import type { Kit } from './fixtures';
import { nativeAcknowledgementsFor } from './native';

/** Exit code when the cfn-guard gate is asked for but its plugin cannot be loaded. */
const EXIT_NO_GUARD = 3;
/** Exit code for a run the harness itself cannot start (unknown case or gate). */
const EXIT_USAGE = 2;

type PluginClass = new (props?: object) => IPolicyValidationPlugin;

function usage(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(EXIT_USAGE);
}

function isPluginClass(value: unknown): value is PluginClass {
  return typeof value === 'function';
}

/** The cfn-guard plugin class, from SPENDSENSE_REDTEAM_GUARD_PATH or this repository's node_modules. */
function loadGuard(): PluginClass {
  const from = process.env[GUARD_PATH_ENV];
  for (const id of [from, '@cdklabs/cdk-validator-cfnguard']) {
    if (!id) continue;
    try {
      // A dynamic path: the plugin is optional and may live outside the repository.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(id) as { CfnGuardValidator?: unknown };
      if (isPluginClass(mod.CfnGuardValidator)) return mod.CfnGuardValidator;
    } catch {
      // Try the next place.
    }
  }
  process.stderr.write('cfn-guard plugin not installed\n');
  process.exit(EXIT_NO_GUARD);
}

/**
 * The kit's stacks for a `kitContext` case under a gate other than the kit's: the same profiles `bin/app.ts` builds
 * from the same `-c` overrides, so nag and cfn-guard judge the very templates the kit gate judges.
 */
function buildKitStacks(app: App): void {
  const config = kit.resolveConfig(app.node.getAllContext() as Parameters<typeof kit.resolveConfig>[0]);
  for (const profile of config.environments) new kit.DatabaseStack(app, kit.stackName(profile.name), { profile });
}

/**
 * The kit as a case's `build` sees it. Under another gate, a case's own `applyCompliance()` call attaches the kit's
 * plugin to a detached, empty App (its own output directory, which would otherwise be the CLI's), synthesized at once,
 * so that only the gate being measured judges the app.
 */
function kitFor(gate: Gate): Kit {
  if (gate === 'kit') return kit;
  const detached = () => {
    const outdir = mkdtempSync(join(tmpdir(), 'spendsense-redteam-detached-'));
    process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
    return new App({ autoSynth: false, outdir });
  };
  return {
    ...kit,
    applyCompliance: (_scope, options) => {
      const app = detached();
      const plugin = kit.applyCompliance(app, options);
      // Judged at once, over one empty stack: a gate attached and never run fails the process, as it should in a
      // team's app.
      new Stack(app, 'Detached');
      app.synth();
      return plugin;
    },
  };
}

function attachGate(app: App, gate: Gate, guard: PluginClass | undefined, c: RedteamCase): void {
  switch (gate) {
    case 'kit':
      kit.applyCompliance(app, {
        environment: c.gateEnvironment ?? 'prod',
        // A prod stack of such a case carries its own packs (a kit profile's, or its applyCompliance call's).
        nagPacks: c.gateEnvironment ? ['AwsSolutions'] : ['AwsSolutions', 'NIST80053R5', 'PCIDSS321'],
      });
      return;
    case 'nag':
      // A team on cdk-nag alone writes its exceptions with Validations.of(x).acknowledge(); the kit's acknowledge()
      // calls are carried over so both gates start from the same accepted findings.
      nativeAcknowledgementsFor(app);
      Validations.of(app).addPlugins(
        new AwsSolutionsChecks(app, { verbose: true }),
        new NIST80053R5Checks(app, { verbose: true }),
        new PCIDSS321Checks(app, { verbose: true }),
      );
      return;
    case 'guard':
      // Its default: the Control Tower proactive rules shipped with the plugin.
      if (guard) Validations.of(app).addPlugins(new guard());
      return;
    case 'none':
      return;
  }
}

function synth(app: App, c: RedteamCase): void {
  switch (c.after) {
    case 'catch':
      try {
        app.synth();
      } catch {
        // What a hurried team writes to get past a failing synth.
      }
      return;
    case 'exit0':
      app.synth();
      process.exit(0);
      break;
    case 'exitCode0':
      app.synth();
      process.exitCode = 0;
      return;
    case 'lateExitListener':
      // The CLI also fails a run whose validation-report.json lists errors: the app removes it, and resets the exit
      // code from a listener that runs after the gate's.
      try {
        app.synth();
      } catch {
        // Swallowed, as 'catch' does.
      }
      rmSync(join(app.outdir, 'validation-report.json'), { force: true });
      process.on('exit', () => {
        process.exitCode = 0;
      });
      return;
    default:
      app.synth();
  }
}

function main(): void {
  const name = process.env[CASE_ENV];
  if (!name) usage(`${CASE_ENV} is not set`);
  const c = caseNamed(name);
  if (!c) usage(`${CASE_ENV}: no case named '${name}'`);
  const gate = process.env[GATE_ENV] ?? 'kit';
  if (!isGate(gate)) usage(`${GATE_ENV}: got '${gate}', expected kit, nag, guard or none`);
  // Loaded before anything is built, so that a missing plugin is the run's only output.
  const guard = gate === 'guard' ? loadGuard() : undefined;
  const app = new App(c.appContext ? { context: { ...c.appContext } } : {});
  if (c.build) c.build(app, kitFor(gate));
  else buildKitStacks(app);
  attachGate(app, gate, guard, c);
  synth(app, c);
}

main();
