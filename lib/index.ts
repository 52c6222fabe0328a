/** The kit's library API: compose SpendSense database stacks in your own CDK app. */
export {
  DatabaseStack,
  DATABASE_NAME,
  MASTER_USERNAME,
  credentialsSecretName,
  connectionSecretName,
} from './database-stack';
export type { DatabaseStackProps } from './database-stack';
export { ENVIRONMENT_NAMES, profiles, getProfile, stackName } from './profiles';
export type { EnvironmentProfile, EnvironmentName, NagPackName, StorageType, DatabaseRemovalPolicy } from './profiles';
export { resolveConfig, ConfigError } from './config';
export type { KitConfig } from './config';
export { buildKitApp } from './app';
export type { KitApp } from './app';
