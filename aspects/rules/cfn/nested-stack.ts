import { describeShort } from '../../resolve';
import { PolicyRule, cannotVerify, pass, props } from '../../rule';

/**
 * Resources that deploy a CloudFormation template of their own the gate never reads: a StackSet (its TemplateBody or
 * TemplateURL, into other accounts or regions) and a Service Catalog provisioned product (the product's template).
 */
const DEPLOYS_TEMPLATE: Readonly<Record<string, string>> = {
  'AWS::CloudFormation::StackSet': 'a StackSet deploys its own template',
  'AWS::ServiceCatalog::CloudFormationProvisionedProduct': "a provisioned product deploys its product's template",
};

/** SS-CFN-002: every stack the template deploys is one the gate judged. */
export const judgedNestedStack: PolicyRule = {
  id: 'SS-CFN-002',
  title: 'Every stack the template deploys is judged with it',
  rationale:
    'An AWS::CloudFormation::Stack deploys whatever template its TemplateURL names at deploy time; unless that template is a NestedStack of this app, which the gate judges with the parent, nothing in it was checked. A StackSet or a Service Catalog provisioned product deploys a template the gate never reads at all.',
  fix: 'Build the nested stack as a cdk NestedStack (or cloudformation-include with loadNestedStacks) so its template is judged with the parent; deploy a StackSet or a product from a pipeline that judges its template; prod cannot acknowledge SS-CFN-002.',
  severity: { dev: 'warning', staging: 'warning', prod: 'error' },
  unacknowledgeableIn: ['prod'],
  resourceTypes: ['AWS::CloudFormation::Stack', ...Object.keys(DEPLOYS_TEMPLATE)],
  evaluate(resource, { logicalId, judgedNestedStacks }) {
    const other = DEPLOYS_TEMPLATE[resource.Type];
    if (other) return [cannotVerify(`${resource.Type}: ${other}, which the gate did not see`, 'Properties')];
    if (judgedNestedStacks.has(logicalId))
      return [pass('the nested template was judged with this stack', 'Properties/TemplateURL')];
    return [
      cannotVerify(
        `TemplateURL=${describeShort(props(resource).TemplateURL)}: a template the gate did not see`,
        'Properties/TemplateURL',
      ),
    ];
  },
};
