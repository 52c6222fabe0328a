/**
 * Whether any AWS credential source is configured, judged without the credential chain itself: the chain's last
 * provider asks the EC2 instance metadata service over the network, which an offline `--pricing auto` must not do.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Environment variables that configure a credential source of the SDK's default chain (other than instance metadata). */
const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
] as const;

/** The first configured source (`AWS_PROFILE`, `~/.aws/config`), or undefined when there is none. */
export function configuredCredentialSource(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const variable = CREDENTIAL_VARIABLES.find((v) => (env[v] ?? '') !== '');
  if (variable) return variable;
  const home = env.HOME ?? homedir();
  const files = [
    env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials'),
    env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config'),
  ];
  return files.find((f) => existsSync(f));
}
