import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AwsCall } from './aws-errors';

/**
 * Client settings: only the region, and only when `--region` was given. Everything else (credentials, profile,
 * `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_MAX_ATTEMPTS`) is the SDK's standard configuration chain.
 */
export interface AwsClientOptions {
  readonly region?: string;
}

function config(options: AwsClientOptions): { region?: string } {
  return options.region ? { region: options.region } : {};
}

export const secretsManager = (o: AwsClientOptions = {}) => new SecretsManagerClient(config(o));
export const cloudFormation = (o: AwsClientOptions = {}) => new CloudFormationClient(config(o));
export const ec2 = (o: AwsClientOptions = {}) => new EC2Client(config(o));

export const SERVICES = {
  secretsManager: { service: 'Secrets Manager', iamPrefix: 'secretsmanager' },
  cloudFormation: { service: 'CloudFormation', iamPrefix: 'cloudformation' },
  ec2: { service: 'EC2', iamPrefix: 'ec2' },
} as const satisfies Record<string, Omit<AwsCall, 'operation'>>;
