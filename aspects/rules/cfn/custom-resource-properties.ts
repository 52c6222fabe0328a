/**
 * What the custom-resource rules (SS-CFN-003, SS-CFN-004) look for: the settings a custom resource is told to apply,
 * found anywhere in its properties (nested objects, lists, JSON strings such as `AwsCustomResource`'s SDK call, text
 * built with `Fn::Join` / `Fn::Sub`), each classed by whether prod may waive the control it sets; and the same in the
 * AWS API calls the template makes without a custom resource: an EventBridge Scheduler target or a Step Functions task
 * of the `aws-sdk` integrations, or a Systems Manager document (`aws:executeAwsApi` steps, scripts), whose call and
 * parameters the template holds.
 */
import { type FileAssets, NO_FILE_ASSETS } from '../../assets';
import { describeShort, type Resolver } from '../../resolve';
import { RuleContext, RuleOutcome, cannotVerify, props } from '../../rule';
import { type TemplateResource, UNCOMPUTED, sketchOf, walkValue } from '../../template';

/**
 * `unwaivable`: a setting of a control prod may not acknowledge on a real resource (open ingress, public access,
 * deletion protection, Multi-AZ, encryption and its keys, proxy TLS, the security groups in front of a database), or a
 * call that creates or restores a database the template does not hold, whose every setting the gate never sees; `waivable`: one of a control prod may accept with
 * a review (backup retention, TLS parameters, key rotation, parameter and subnet groups).
 */
export type SettingClass = 'unwaivable' | 'waivable';

const UNWAIVABLE_SETTING =
  /^(cidr(ip|ipv6|block|s)?|sourcecidr|ingress|securitygroupingress|ipranges?|allowedcidrs?|publiclyaccessible|deletionprotection|multiaz|storageencrypted|kmskeyid|encryptionkey|requiretls|keypolicy|resourcepolicy|blockpublicpolicy|vpcsecuritygroups|vpcsecuritygroupids)$/i;
const WAIVABLE_SETTING =
  /^(backupretentionperiod|rds\.force_ssl|require_secure_transport|enablekeyrotation|dbparametergroupname|dbsubnetgroupname|enablehttpendpoint|rotationrules|rotationlambdaarn|automaticbackupreplication(region|kmskeyid))$/i;

/** An IPv4 or IPv6 network range written as text. */
const CIDR = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:]*)\/\d{1,3}$/i;

export interface CustomResourceSetting {
  readonly class: SettingClass;
  /** `Properties/<path>` and what was found there. */
  readonly evidence: string;
}

/**
 * A string holding a JSON object or list (`Custom::AWS` passes its SDK call that way). A part synthesis cannot compute
 * ({@link UNCOMPUTED}) where JSON wants a value, not a string (a number from a parameter), is read as `null`.
 */
function parsedJson(text: string): unknown {
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return undefined;
  for (const candidate of t.includes(UNCOMPUTED) ? [t, t.split(UNCOMPUTED).join('null')] : [t]) {
    try {
      return JSON.parse(candidate) as unknown;
    } catch {
      // The next reading, if any.
    }
  }
  return undefined;
}

/** A YAML document (a state machine definition may be one), or undefined when the text is not YAML of a mapping. */
function parsedYaml(text: string): unknown {
  // Loaded only for a definition that is not JSON.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parse } = require('yaml') as typeof import('yaml');
  try {
    const value: unknown = parse(text);
    return value !== null && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The settings a text names, in any spelling: `DeletionProtection`, `--no-deletion-protection`, `deletion_protection`,
 * inside a JSONata expression, a YAML document or a shell command. Text that names one is taken to apply it.
 */
const MENTIONED: readonly (readonly [RegExp, SettingClass])[] = [
  [
    /cidr|ingress|iprange|publiclyaccessible|deletionprotection|multiaz|storageencrypted|kmskeyid|encryptionkey|requiretls|keypolicy|resourcepolicy|blockpublicpolicy|snapshotattribute|vpcsecuritygroup|(create|restore)db(instance|cluster)(?!snapshot|parametergroup|endpoint)/,
    'unwaivable',
  ],
  [
    /backupretentionperiod|rdsforcessl|requiresecuretransport|keyrotation|dbparametergroupname|dbsubnetgroupname|enablehttpendpoint|rotatesecret|rotationrules|rotationlambdaarn|automaticbackupreplication|automatedbackupsreplication/,
    'waivable',
  ],
];

function mentionedSettings(text: string): { class: SettingClass; word: string }[] {
  const flat = text.toLowerCase().replace(/[-_.\s]/g, '');
  return MENTIONED.flatMap(([re, c]) => {
    const m = re.exec(flat);
    return m ? [{ class: c, word: m[0] }] : [];
  });
}

function scan(value: unknown, path: string, resolver: Resolver, out: CustomResourceSetting[]): void {
  walkValue(value, path, resolver, {
    text(text, at) {
      // A network range is what an ingress rule admits, whatever key carries it.
      if (CIDR.test(text.trim())) {
        out.push({ class: 'unwaivable', evidence: `${at}=${text} (a network range)` });
        return;
      }
      const json = parsedJson(text);
      if (json !== undefined) {
        scan(json, at, resolver, out);
        return;
      }
      for (const m of mentionedSettings(text))
        out.push({ class: m.class, evidence: `${at} (text that names ${m.word})` });
    },
    uncomputable(fn, arg, at) {
      // A value synthesis cannot compute (a parameter in an SDK call's JSON, a condition): text built around it is read
      // with its literal parts, and anything else written inside it (either branch of a Fn::If, the lists of a
      // Fn::Select, a mapping) is read as if it were the value.
      const sketch = fn === 'Fn::Join' || fn === 'Fn::Sub' ? sketchOf({ [fn]: arg }, resolver) : undefined;
      if (sketch !== undefined) {
        this.text(sketch, at);
        return;
      }
      if (fn !== 'Fn::FindInMap') {
        scan(arg, at, resolver, out);
        return;
      }
      // A mapping's keys are only what it is looked up by: its values are what the property may be.
      if (Array.isArray(arg) && typeof arg[0] === 'string') {
        const mapping = (resolver.template.Mappings?.[arg[0]] ?? {}) as Record<string, Record<string, unknown>>;
        for (const entry of Object.values(mapping))
          for (const v of Object.values(entry ?? {})) scan(v, at, resolver, out);
      }
    },
    key(k, at) {
      // A Step Functions key ending in `.$` takes its value from a path or an intrinsic: the same setting.
      const name = k.replace(/\.\$$/, '');
      if (UNWAIVABLE_SETTING.test(name))
        out.push({ class: 'unwaivable', evidence: `${at} (a database or network setting)` });
      else if (WAIVABLE_SETTING.test(name)) out.push({ class: 'waivable', evidence: `${at} (a database setting)` });
      else return false;
      return true;
    },
  });
}

/** The settings a custom resource carries, outside `ServiceToken` and `ServiceTimeout` (which address its handler). */
function customResourceSettingsOf(resource: TemplateResource, resolver: Resolver): CustomResourceSetting[] {
  const rest = Object.fromEntries(
    Object.entries(props(resource)).filter(([k]) => k !== 'ServiceToken' && k !== 'ServiceTimeout'),
  );
  const out: CustomResourceSetting[] = [];
  scan(rest, '', resolver, out);
  return out;
}

/** The text a value makes, when the template alone tells it (references to deploy-time values kept as `${...}`). */
function textOf(value: unknown, resolver: Resolver): string | undefined {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return undefined;
  const r = resolver.resolve(value);
  if (r.kind === 'literal' && typeof r.value === 'string') return r.value;
  return r.kind === 'expression' ? r.text : undefined;
}

const SDK_CALL = /:aws-sdk:/;

/** The `service:action` an `aws-sdk` integration's ARN calls, which may itself name a setting. */
function actionOf(arn: string): string {
  return arn.slice(arn.indexOf(':aws-sdk:') + ':aws-sdk:'.length);
}

/** An action that only reads (`rds:describeDBClusters`, `secretsmanager:listSecrets`): its request changes nothing. */
const READ_ONLY_ACTION = /^[a-z0-9-]+:(describe|list|get|batchget|search|lookup)/i;

/**
 * A task's request written in the definition, as an object whose keys the scan reads. Without one, Step Functions sends
 * the state input as the request (JSONPath), or the value of an expression (JSONata `{% ... %}`): whatever an earlier
 * state, the execution's caller or another service put there.
 */
function spelledOut(request: unknown): boolean {
  return request !== null && typeof request === 'object' && !Array.isArray(request);
}

/** Every task of a Step Functions definition (states of branches and maps included) that calls the AWS API. */
function sdkTasks(
  value: unknown,
  path: string,
  resourceOf: (resource: unknown) => string | undefined,
  out: [string, Record<string, unknown>, string][],
): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => sdkTasks(v, `${path}/${i}`, resourceOf, out));
    return;
  }
  const o = value as Record<string, unknown>;
  const resource = 'Resource' in o ? resourceOf(o.Resource) : undefined;
  if (resource !== undefined && SDK_CALL.test(resource)) out.push([path, o, resource]);
  for (const [k, v] of Object.entries(o)) sdkTasks(v, `${path}/${k}`, resourceOf, out);
}

/**
 * The settings of the AWS API calls a Scheduler schedule (`Target.Input` of an `aws-sdk` universal target) or a state
 * machine (`Parameters` / `Arguments` of its `aws-sdk` tasks) makes, and of the input a resource of {@link RUN_INPUTS}
 * passes. A definition read from S3 is read from the app's file asset uploaded there (`DefinitionBody.fromFile`); one
 * the app does not stage cannot be verified. A definition that is neither JSON nor YAML is read as text.
 */
function apiCallSettingsOf(
  resource: TemplateResource,
  resolver: Resolver,
  assets: FileAssets,
): CustomResourceSetting[] {
  const p = props(resource);
  const out: CustomResourceSetting[] = [];
  if (resource.Type === 'AWS::Scheduler::Schedule') {
    const target = p.Target as Record<string, unknown> | undefined;
    // A target the template does not name (a mapping, a parameter) may be an API call: its Input is judged.
    const arn = textOf(target?.Arn, resolver) ?? sketchOf(target?.Arn, resolver);
    // The action is in the ARN (`aws-sdk:rds:enableHttpEndpoint`, `aws-sdk:kms:disableKeyRotation`): it is judged too.
    if (arn === undefined || arn.includes(UNCOMPUTED) || SDK_CALL.test(arn))
      scan({ Arn: arn === undefined ? undefined : actionOf(arn), Input: target?.Input }, 'Target', resolver, out);
    return out;
  }
  const inputs = RUN_INPUTS[resource.Type];
  if (inputs) {
    scan(Object.fromEntries(inputs.map((k) => [k, p[k]])), '', resolver, out);
    return out;
  }
  let definition: unknown = p.Definition;
  let where = 'Definition';
  if (definition === undefined && p.DefinitionString !== undefined) {
    where = 'DefinitionString';
    // A definition built around a parameter (a task's request naming one) is read with its literal parts.
    const text = textOf(p.DefinitionString, resolver) ?? sketchOf(p.DefinitionString, resolver);
    definition = text === undefined ? undefined : parsedJson(text);
    // Text that is not JSON is still read for the settings it names.
    if (definition === undefined && text !== undefined) scan(text, where, resolver, out);
  } else if (definition === undefined && p.DefinitionS3Location !== undefined) {
    where = 'DefinitionS3Location';
    const location = (p.DefinitionS3Location ?? {}) as Record<string, unknown>;
    // A version names an object of a versioned bucket, which no asset of the app is.
    const text = location.Version === undefined ? assets.textAt(location.Bucket, location.Key) : undefined;
    if (text === undefined) {
      out.push({
        class: 'waivable',
        evidence: `DefinitionS3Location=${describeShort(location)} (a definition in S3 that is no file asset of the app, so its calls are unseen)`,
      });
      return out;
    }
    definition = parsedJson(text) ?? parsedYaml(text);
    if (definition === undefined) scan(text, where, resolver, out);
  }
  const tasks: [string, Record<string, unknown>, string][] = [];
  // A task's Resource may be built (Fn::Sub) or a `${Name}` of DefinitionSubstitutions, filled in at deploy.
  const substitutions = (p.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
  const resourceOf = (value: unknown) =>
    textOf(value, resolver)?.replace(/\$\{([^}]+)\}/g, (whole, name: string) =>
      name in substitutions ? (textOf(substitutions[name], resolver) ?? whole) : whole,
    );
  sdkTasks(definition, where, resourceOf, tasks);
  for (const [path, task, resource] of tasks) {
    const action = actionOf(resource);
    scan({ Resource: action, Parameters: task.Parameters, Arguments: task.Arguments }, path, resolver, out);
    if (!READ_ONLY_ACTION.test(action) && !spelledOut(task.Parameters ?? task.Arguments))
      out.push({
        class: 'waivable',
        evidence: `${path} (a call to ${action} whose request is the state input or an expression, not written in the template)`,
      });
  }
  return out;
}

/**
 * Resources that run a document, command, function or call with input the template holds, as the properties that hold
 * it: an SSM document's own steps (`aws:executeAwsApi`, scripts), or the parameters an association, maintenance window
 * task, Config remediation, EventBridge rule or pipe passes to one (`AWS-RunShellScript` told `commands`, an Automation
 * runbook told its parameters). What they are named, and the events a rule matches, are not judged.
 */
const RUN_INPUTS: Readonly<Record<string, readonly string[]>> = {
  'AWS::SSM::Document': ['Content'],
  'AWS::SSM::Association': ['Parameters'],
  'AWS::SSM::MaintenanceWindowTask': ['TaskInvocationParameters', 'TaskParameters'],
  'AWS::Config::RemediationConfiguration': ['Parameters'],
  'AWS::Events::Rule': ['Targets'],
  'AWS::Pipes::Pipe': ['TargetParameters'],
};

const CUSTOM_RESOURCE_TYPES = ['Custom::*', 'AWS::CloudFormation::CustomResource'];
const API_CALL_TYPES = ['AWS::Scheduler::Schedule', 'AWS::StepFunctions::StateMachine', ...Object.keys(RUN_INPUTS)];

/** The resource types SS-CFN-003 and SS-CFN-004 judge, besides registry extensions. */
export const SETTING_CARRIER_TYPES: readonly string[] = [...CUSTOM_RESOURCE_TYPES, ...API_CALL_TYPES];

/**
 * A resource type of the CloudFormation registry outside AWS's own namespaces: a third-party or private extension
 * (`MongoDB::Atlas::Cluster`, `Acme::Database::Instance`) whose handler, like a custom resource's, applies its
 * properties out of the gate's sight. Modules (`::MODULE`) expand into other resources and are SS-CFN-001's.
 */
export function isRegistryExtension(type: string): boolean {
  return /^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+$/.test(type) && !/^(AWS|Alexa)::/.test(type);
}

/** What one of those resources is told to apply, of one class: each a setting the gate cannot see applied. */
export function unseenSettings(
  resource: TemplateResource,
  { resolver, fileAssets }: Pick<RuleContext, 'resolver' | 'fileAssets'>,
  only: SettingClass,
): RuleOutcome[] {
  const settings = API_CALL_TYPES.includes(resource.Type)
    ? apiCallSettingsOf(resource, resolver, fileAssets ?? NO_FILE_ASSETS)
    : customResourceSettingsOf(resource, resolver);
  return settings
    .filter((s) => s.class === only)
    .map((s) => cannotVerify(`Properties/${s.evidence}: applied at deploy or run time, unseen`, 'Properties'));
}
