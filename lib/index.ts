/** The kit's library API: compose SpendSense database stacks in your own CDK app. */
export {
  DatabaseStack,
  allowCloudWatchLogs,
  DATABASE_NAME,
  MASTER_USERNAME,
  credentialsSecretName,
  connectionSecretName,
} from './database-stack';
export type { DatabaseStackProps } from './database-stack';
export { DatabasePlatform } from './database/platform';
export type { DatabasePlatformProps } from './database/platform';
export { databaseNames, databaseNameProblem, KIT_DATABASE_NAME } from './database/names';
export type { DatabaseNames } from './database/names';
export { ENVIRONMENT_NAMES, profiles, getProfile, stackName } from './profiles';
export type { EnvironmentProfile, EnvironmentName, NagPackName, StorageType, DatabaseRemovalPolicy } from './profiles';
export { resolveConfig, ConfigError } from './config';
export type { KitConfig } from './config';
export { buildKitApp } from './app';
export type { KitApp } from './app';
export {
  applyCompliance,
  ComplianceConfigError,
  COMPLIANCE_DATE_CONTEXT,
  COMPLIANCE_DATE_ENV,
} from '../aspects/compliance';
export type { ComplianceOptions } from '../aspects/compliance';
export { acknowledge } from '../aspects/acknowledgements';
export type { Acknowledgement } from '../aspects/acknowledgements';
export { RULES } from '../aspects/rules';
export type { PolicyRule } from '../aspects/rule';
export type { CheckResult, CheckStatus, AcknowledgementRecord, Severity } from '../aspects/types';
export type { ComplianceRun, CompliancePlugin } from '../aspects/plugin';
export { SetupError } from '../aspects/setup';
