import { describeShort } from '../../resolve';
import { PolicyRule, RuleOutcome, cannotVerify, pass } from '../../rule';

/**
 * Transforms that only add the hosted rotation function of an `AWS::SecretsManager::RotationSchedule`
 * (`HostedRotationLambda`); aws-cdk-lib emits them for `addRotationSingleUser()` and the kit's stacks use them. They
 * rewrite no resource the gate judges.
 */
export const ALLOWED_TRANSFORMS: readonly string[] = [
  'AWS::SecretsManager-2020-07-23',
  'AWS::SecretsManager-2024-09-16',
];

/**
 * Every `Fn::Transform` (AWS::Include and macros) anywhere under `value`, with its path. The path is kept as a list of
 * keys and joined only for a find: templates are walked whole at every synth.
 */
function transformsIn(value: unknown, path: string[], found: string[]): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(String(i));
      transformsIn(value[i], path, found);
      path.pop();
    }
    return;
  }
  for (const k in value as Record<string, unknown>) {
    const v = (value as Record<string, unknown>)[k];
    if (k === 'Fn::Transform') {
      const name = (v as Record<string, unknown> | null)?.Name;
      found.push(`${path.join('/')}: Fn::Transform ${describeShort(name)}`);
    }
    path.push(k);
    transformsIn(v, path, found);
    path.pop();
  }
}

/** SS-CFN-001: the template CloudFormation receives is the template the gate judged. */
export const judgeableTemplate: PolicyRule = {
  id: 'SS-CFN-001',
  title: 'The template is judged as deployed: no macro rewrites it',
  rationale:
    'A Transform, Fn::Transform (AWS::Include, macros), a module (a ::MODULE resource type) or AWS::LanguageExtensions Fn::ForEach makes CloudFormation deploy resources the synthesized template does not show, so no rule can judge them before deploy.',
  fix: 'Write the resources into the CDK app instead of a macro or include. Staging and dev may acknowledge SS-CFN-001 on the stack with a review of the macro; prod cannot, since what the macro deploys could be anything prod never accepts.',
  severity: { dev: 'warning', staging: 'warning', prod: 'error' },
  unacknowledgeableIn: ['prod'],
  resourceTypes: [],
  evaluate: () => [],
  evaluateTemplate({ template }) {
    const outcomes: RuleOutcome[] = [];
    const transform = template.Transform;
    const names = transform === undefined ? [] : Array.isArray(transform) ? transform : [transform];
    for (const name of names) {
      if (typeof name === 'string' && ALLOWED_TRANSFORMS.includes(name)) {
        outcomes.push(pass(`Transform ${name} (hosted secret rotation, allowed)`, 'Transform'));
      } else {
        outcomes.push(
          cannotVerify(`Transform ${describeShort(name)} rewrites the template at deploy time`, 'Transform'),
        );
      }
    }
    for (const [key, resource] of Object.entries(template.Resources ?? {})) {
      if (key.startsWith('Fn::ForEach::')) {
        outcomes.push(
          cannotVerify(`Resources/${key}: Fn::ForEach makes resources only deploy time expands`, `Resources/${key}`),
        );
      }
      // A CloudFormation module (a registered `<Org>::<Service>::<Name>::MODULE` type) expands into resources at
      // deploy time, as a macro does.
      const type = (resource as { Type?: unknown } | null)?.Type;
      if (typeof type === 'string' && type.endsWith('::MODULE')) {
        outcomes.push(
          cannotVerify(
            `Resources/${key}: module ${type} expands into resources only deploy time sees`,
            `Resources/${key}`,
          ),
        );
      }
    }
    const found: string[] = [];
    for (const section of ['Resources', 'Outputs', 'Conditions', 'Mappings', 'Parameters'] as const) {
      transformsIn((template as Record<string, unknown>)[section], [section], found);
    }
    outcomes.push(...found.map((f) => cannotVerify(`${f} includes content only deploy time sees`, f.split(':')[0])));
    return outcomes;
  },
};
