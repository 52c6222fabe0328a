import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AwsCall } from './aws-errors';
import { EXIT, OpsError } from './errors';

/** How long a command may wait on AWS in all, unless `--timeout` says otherwise. */
export const DEFAULT_BUDGET_MS = 30_000;
/** How long one connection attempt to an AWS endpoint may take (within the budget). */
export const CONNECT_TIMEOUT_MS = 3_000;
/**
 * The most of the budget a write leaves unused, so that the state can still be read back when the write's answer never
 * comes (a third of what is left, at most this).
 */
export const MAX_REREAD_RESERVE_MS = 10_000;

/**
 * A command's time budget: one deadline for every AWS call it makes, retries included. Its signal aborts whatever
 * request is still open when the deadline passes, and its timer never keeps the process alive.
 */
export class Budget {
  readonly signal: AbortSignal;
  private readonly deadline: number;

  /** `ms` from now, or from `startedAt` (epoch ms) when the command began earlier. */
  constructor(
    readonly ms: number,
    startedAt = Date.now(),
  ) {
    this.deadline = startedAt + ms;
    this.signal = AbortSignal.timeout(Math.max(1, Math.ceil(this.deadline - Date.now())));
  }

  /** A budget counted from the start of this process, so that start-up time is inside it too. */
  static ofProcess(ms: number): Budget {
    return new Budget(ms, performance.timeOrigin);
  }

  /** What is left of the budget, in ms (at least 1). */
  remaining(): number {
    return Math.max(1, Math.ceil(this.deadline - Date.now()));
  }

  /** `30 s`, `2.5 s`: the budget as the messages print it. */
  get label(): string {
    return seconds(this.ms);
  }

  /**
   * How long a write may wait for its answer: what is left, less a reserve (a third of it, at most
   * {@link MAX_REREAD_RESERVE_MS}) for reading the state back when the answer does not come.
   */
  writeWindow(): number {
    const left = this.remaining();
    return Math.max(1, left - Math.min(MAX_REREAD_RESERVE_MS, Math.floor(left / 3)));
  }
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`;

/** Thrown by a bounded client's call that the budget ended. */
export class BudgetExceeded extends Error {
  override readonly name = 'BudgetExceeded';

  constructor(readonly budget: Budget) {
    super(`no answer within the ${budget.label} budget`);
  }
}

/** Thrown by a write that got no answer within its {@link Budget.writeWindow}; the rest of the budget is left. */
export class WriteUnanswered extends Error {
  override readonly name = 'WriteUnanswered';

  constructor(
    readonly windowMs: number,
    readonly budget: Budget,
  ) {
    super(`no answer within ${seconds(windowMs)} of the ${budget.label} budget`);
  }
}

/**
 * Client settings: the region when `--region` was given, the budget's connect and request time limits, and nothing
 * else: credentials, profile, `AWS_ENDPOINT_URL_<SERVICE>` and `AWS_MAX_ATTEMPTS` are the SDK's standard configuration.
 */
export interface AwsClientOptions {
  readonly region?: string;
  readonly budget: Budget;
}

function config(options: AwsClientOptions) {
  return {
    ...(options.region ? { region: options.region } : {}),
    requestHandler: {
      connectionTimeout: Math.min(CONNECT_TIMEOUT_MS, options.budget.ms),
      requestTimeout: options.budget.ms,
      throwOnRequestTimeout: true,
    },
  };
}

interface Sender {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

const budgets = new WeakMap<object, Budget>();

/**
 * Every call of `client` carries the budget's abort signal (and the caller's, if any); one the budget ended throws
 * {@link BudgetExceeded}.
 */
function bounded<C extends object>(client: C, budget: Budget): C {
  const sender = client as unknown as Sender;
  const send = sender.send.bind(client);
  sender.send = async (command, options) => {
    if (budget.signal.aborted) throw new BudgetExceeded(budget);
    const own = options?.abortSignal;
    const abortSignal = own ? AbortSignal.any([budget.signal, own]) : budget.signal;
    try {
      return await send(command, { ...options, abortSignal });
    } catch (err) {
      if (budget.signal.aborted) throw new BudgetExceeded(budget);
      if (own?.aborted && own.reason instanceof WriteUnanswered) throw own.reason;
      throw err;
    }
  };
  budgets.set(client, budget);
  return client;
}

/**
 * Send options for a write through `client`: with a bounded client, an abort at the end of the budget's
 * {@link Budget.writeWindow}, raising {@link WriteUnanswered} so that the caller can still read the state back.
 */
export function writeOptions(client: object): { abortSignal?: AbortSignal } {
  const budget = budgets.get(client);
  if (!budget) return {};
  const windowMs = budget.writeWindow();
  const controller = new AbortController();
  setTimeout(() => controller.abort(new WriteUnanswered(windowMs, budget)), windowMs).unref();
  return { abortSignal: controller.signal };
}

export const secretsManager = (o: AwsClientOptions) => bounded(new SecretsManagerClient(config(o)), o.budget);
export const cloudFormation = (o: AwsClientOptions) => bounded(new CloudFormationClient(config(o)), o.budget);
export const ec2 = (o: AwsClientOptions) => bounded(new EC2Client(config(o)), o.budget);

export const SERVICES = {
  secretsManager: { service: 'Secrets Manager', iamPrefix: 'secretsmanager', endpointVariable: 'SECRETS_MANAGER' },
  cloudFormation: { service: 'CloudFormation', iamPrefix: 'cloudformation', endpointVariable: 'CLOUDFORMATION' },
  ec2: { service: 'EC2', iamPrefix: 'ec2', endpointVariable: 'EC2' },
} as const satisfies Record<string, Omit<AwsCall, 'operation'>>;

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

function checkRegion(value: string, what: string): string {
  if (!REGION.test(value)) {
    throw new OpsError(
      `${what}: got ${JSON.stringify(value.slice(0, 40))}, expected an AWS region such as us-east-1`,
      EXIT.invalidInput,
    );
  }
  return value;
}

/**
 * The region the scripts use: `--region`, else the SDK's own chain (`AWS_REGION`, the AWS profile's region), else the
 * environment profile's region (`fallback`). Each value is checked: a malformed one is invalid input, never a call.
 */
export async function resolveRegion(
  given: string | undefined,
  fallback: string | undefined,
): Promise<string | undefined> {
  if (given !== undefined) return checkRegion(given, '--region');
  if (process.env.AWS_REGION === '') {
    throw new OpsError(
      'AWS_REGION: set but empty; unset it or set a region such as us-east-1 (or pass --region)',
      EXIT.invalidInput,
    );
  }
  if (process.env.AWS_REGION !== undefined) return checkRegion(process.env.AWS_REGION, 'AWS_REGION');
  let configured: string | undefined;
  try {
    configured = await new SecretsManagerClient({}).config.region();
  } catch (err) {
    // No region in the AWS profile is the case for the fallback; a malformed one is the user's to fix.
    if (!/missing/i.test((err as Error).message)) {
      throw new OpsError(`the AWS profile region: ${(err as Error).message.split('\n')[0]}`, EXIT.invalidInput);
    }
    configured = undefined;
  }
  if (configured) return checkRegion(configured, 'the AWS profile region');
  return fallback;
}
