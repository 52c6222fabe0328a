/**
 * Physical names of one database, derived from the name its owner gives and the environment, so that two databases in
 * one account and region never collide. The kit's own stacks use the name `spendsense`.
 */
import type { EnvironmentName } from '../profiles';

/** The name of the kit's own database platform; its physical names are the ones the seed's README promises. */
export const KIT_DATABASE_NAME = 'spendsense';

/**
 * Longest name accepted: `<name>-staging-credentials-rotation`, the longest derived name, must fit a Lambda function
 * name (64 characters).
 */
export const MAX_NAME_LENGTH = 64 - '-staging-credentials-rotation'.length;

/** RDS identifier rules (instance, proxy): a letter first, then letters, digits and single hyphens, no hyphen last. */
const NAME_PATTERN = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$/;

export interface DatabaseNames {
  /** RDS instance identifier, `<name>-<env>`. */
  readonly instanceIdentifier: string;
  /** RDS Proxy name, `<name>-<env>`. */
  readonly proxyName: string;
  /** Secrets Manager name of the generated, rotated credentials, `<name>/<env>/database/credentials`. */
  readonly credentialsSecretName: string;
  /** Secrets Manager name of the connection string secret, `<name>/<env>/database/connection`. */
  readonly connectionSecretName: string;
  /** KMS alias of the database key, `alias/<name>/<env>/database`. */
  readonly keyAlias: string;
  /** Function name of the hosted rotation Lambda, `<name>-<env>-credentials-rotation`. */
  readonly rotationFunctionName: string;
  /** The CloudWatch Logs group RDS exports a log type to, `/aws/rds/instance/<identifier>/<type>`. */
  logGroupName(type: string): string;
}

/** Why `name` cannot name a database, or undefined when it can. One line: the value, the rule, the fix. */
export function databaseNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH || !NAME_PATTERN.test(name)) {
    return (
      `name: got '${name}', expected 1 to ${MAX_NAME_LENGTH} lowercase letters, digits and single hyphens, ` +
      `starting with a letter and not ending with a hyphen (e.g. 'orders')`
    );
  }
  return undefined;
}

/** The physical names of database `name` in environment `env`; `name` must be valid (see databaseNameProblem). */
export function databaseNames(name: string, env: EnvironmentName): DatabaseNames {
  const identifier = `${name}-${env}`;
  return {
    instanceIdentifier: identifier,
    proxyName: identifier,
    credentialsSecretName: `${name}/${env}/database/credentials`,
    connectionSecretName: `${name}/${env}/database/connection`,
    keyAlias: `alias/${name}/${env}/database`,
    rotationFunctionName: `${identifier}-credentials-rotation`,
    logGroupName: (type) => `/aws/rds/instance/${identifier}/${type}`,
  };
}
