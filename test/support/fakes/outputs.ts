import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Stack outputs as `cdk deploy` reports them for `SpendSense-Database-<env>`. */
export function stackOutputs(
  credentialsSecretArn: string,
  connectionSecretArn: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    DatabaseEndpoint: 'spendsense-dev.abcdefghijkl.us-east-1.rds.amazonaws.com',
    DatabasePort: '5432',
    DatabaseName: 'spendsense',
    CredentialsSecretArn: credentialsSecretArn,
    ConnectionSecretArn: connectionSecretArn,
    LambdaSecurityGroupId: 'sg-0aaaaaaaaaaaaaaaa',
    DatabaseSecurityGroupId: 'sg-0bbbbbbbbbbbbbbbb',
    ...overrides,
  };
}

/** Writes the file `cdk deploy --outputs-file` would write, and returns its path. */
export function writeOutputsFile(
  dir: string,
  stacks: Record<string, Record<string, string>>,
  name = 'cdk-outputs.json',
): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(stacks, null, 2));
  return path;
}
