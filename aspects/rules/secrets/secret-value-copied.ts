import type { Resolver } from '../../resolve';
import { PolicyRule, fail, props } from '../../rule';
import { SECRETS_MANAGER_REFERENCE, type TemplateResource, booleanOf, walkValue } from '../../template';

/**
 * Properties a service keeps as a credential (write-only: no describe call returns it), where a secret's value belongs,
 * as paths under `Properties`.
 * Anywhere else the resolved value is stored as plain configuration: a Lambda function's environment, a container's
 * environment, an SSM parameter, user data, tags.
 */
const CREDENTIAL_PROPERTIES: Readonly<Record<string, RegExp>> = {
  'AWS::RDS::DBInstance': /^MasterUserPassword$/,
  'AWS::RDS::DBCluster': /^MasterUserPassword$/,
  'AWS::DocDB::DBCluster': /^MasterUserPassword$/,
  'AWS::Redshift::Cluster': /^MasterUserPassword$/,
  'AWS::RedshiftServerless::Namespace': /^AdminUserPassword$/,
  'AWS::Lightsail::Database': /^MasterUserPassword$/,
  'AWS::DMS::Endpoint': /^(Password|[A-Za-z0-9]+Settings\/(Password|AuthPassword))$/,
  'AWS::ElastiCache::ReplicationGroup': /^AuthToken$/,
  'AWS::ElastiCache::User': /^Passwords(\/\d+)?$/,
  'AWS::MemoryDB::User': /^AuthenticationMode\/Passwords(\/\d+)?$/,
  'AWS::AmazonMQ::Broker': /^Users\/\d+\/Password$/,
  'AWS::OpenSearchService::Domain': /^AdvancedSecurityOptions\/MasterUserOptions\/MasterUserPassword$/,
  'AWS::DirectoryService::MicrosoftAD': /^Password$/,
  'AWS::DirectoryService::SimpleAD': /^Password$/,
  'AWS::Events::Connection':
    /^AuthParameters\/(ApiKeyAuthParameters\/ApiKeyValue|BasicAuthParameters\/Password|OAuthParameters\/ClientParameters\/ClientSecret)$/,
  'AWS::CodeBuild::SourceCredential': /^Token$/,
  'AWS::CodePipeline::Webhook': /^AuthenticationConfiguration\/SecretToken$/,
  'AWS::CodePipeline::Pipeline': /^Stages\/\d+\/Actions\/\d+\/Configuration\/OAuthToken$/,
  'AWS::Amplify::App': /^(AccessToken|OauthToken|BasicAuthConfig\/Password)$/,
  'AWS::Amplify::Branch': /^BasicAuthConfig\/Password$/,
  'AWS::SecretsManager::Secret': /^SecretString$/,
};

/**
 * The values of an EventBridge connection's invocation or OAuth HTTP parameters, which EventBridge keeps in the
 * connection's Secrets Manager secret when `IsValueSecret` is true (its default) and returns in DescribeConnection
 * when it is false.
 */
const CONNECTION_PARAMETER_VALUE =
  /^(AuthParameters\/(InvocationHttpParameters|OAuthParameters\/OAuthHttpParameters)\/(HeaderParameters|QueryStringParameters|BodyParameters)\/\d+)\/Value$/;

/** A path under `Properties` where a secret's value belongs on a resource of this type. */
function isCredentialPath(resource: TemplateResource, path: string, resolver: Resolver): boolean {
  if (CREDENTIAL_PROPERTIES[resource.Type]?.test(path)) return true;
  const parameter = resource.Type === 'AWS::Events::Connection' ? CONNECTION_PARAMETER_VALUE.exec(path) : null;
  if (!parameter) return false;
  const flag = booleanOf(valueAt(props(resource), parameter[1])?.IsValueSecret, resolver, true);
  return flag.known && flag.value === true;
}

/** The object at a `/`-separated path of keys and list indices, as the template writes it. */
function valueAt(root: unknown, path: string): Record<string, unknown> | undefined {
  let here: unknown = root;
  for (const key of path.split('/')) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<string, unknown>)[key];
  }
  return here !== null && typeof here === 'object' ? (here as Record<string, unknown>) : undefined;
}

/** Each place in `value` whose text carries a Secrets Manager dynamic reference, as `[path, secret]`. */
function secretValues(value: unknown, path: string, resolver: Resolver, out: [string, string][]): void {
  // `secret.secretValue` renders as a Fn::Join around the secret's Ref: walked as the text it makes.
  walkValue(value, path, resolver, {
    text(text, at) {
      const m = SECRETS_MANAGER_REFERENCE.exec(text);
      if (m) out.push([at, m[1] || 'named in another part of the value']);
      // `{{resolve:${Service}:...}}`: a dynamic reference whose service a parameter or variable names.
      else if (/\{\{resolve:\$\{/.test(text)) out.push([at, 'of a service the template does not name']);
    },
    uncomputable(fn, arg, at) {
      // A value synthesis cannot compute (Fn::Base64 user data, a Fn::Select or Fn::Join with a parameter, a mapping):
      // any reference written anywhere inside it may end up in the property, which is where it is reported.
      const inner: [string, string][] = [];
      secretValues(arg, at, resolver, inner);
      if (fn === 'Fn::FindInMap' && Array.isArray(arg) && typeof arg[0] === 'string') {
        secretValues(resolver.template.Mappings?.[arg[0]], at, resolver, inner);
      }
      for (const [, secret] of inner) out.push([at, secret]);
    },
  });
}

/**
 * SS-SM-004: a secret's value stays in Secrets Manager and the credential properties made for it. A dynamic reference
 * anywhere else writes the resolved value into that resource's configuration, readable in plain text by whoever may
 * describe the resource (a Lambda function's environment, an SSM String parameter, a task definition, user data) and
 * left there when the secret rotates.
 */
export const secretValueNotCopied: PolicyRule = {
  id: 'SS-SM-004',
  title: "A secret's value is not copied into another resource's configuration",
  rationale:
    "A {{resolve:secretsmanager}} reference outside a credential property is resolved at deploy and stored in that resource's configuration in plain text: any principal allowed to describe it reads the password, and it goes stale when the secret rotates.",
  fix: "Pass the secret's ARN instead and read it at run time (Lambda: secret.grantRead(fn) and the SDK; ECS: ecs.Secret.fromSecretsManager(secret, 'password')); if the property is a write-only credential of its service, acknowledge SS-SM-004 on it with that service's documentation as the reason.",
  severity: { dev: 'warning', staging: 'error', prod: 'error' },
  unacknowledgeableIn: [],
  resourceTypes: ['*'],
  evaluate(resource: TemplateResource, { resolver }) {
    const p = props(resource);
    const found: [string, string][] = [];
    secretValues(p, 'Properties', resolver, found);
    return found
      .filter(([path]) => !isCredentialPath(resource, path.slice('Properties/'.length), resolver))
      .map(([path, secret]) =>
        fail(`${path} holds the value of the secret ${secret} (not shown), stored there in plain text`, path),
      );
  },
};
