/**
 * Every test runs offline with no AWS identity: no credentials, no account, and aws-cdk-lib's built-in CloudFormation
 * schema validation off (it costs ~2 s per synth and is exercised by `npm run synth`).
 */
import { SDK_WARNING_ENV } from './node-version';

for (const key of [
  'AWS_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'CDK_DEFAULT_ACCOUNT',
]) {
  delete process.env[key];
}
process.env.CDK_VALIDATION = 'false';
// Never let a credential lookup reach for the instance metadata service.
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.CDK_DISABLE_CLI_TELEMETRY = '1';
Object.assign(process.env, SDK_WARNING_ENV);
