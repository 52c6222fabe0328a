import { describeShort } from '../../resolve';
import { PolicyRule, cannotVerify, pass, props } from '../../rule';

/** SS-CFN-002: every nested stack's template is one the gate judged. */
export const judgedNestedStack: PolicyRule = {
  id: 'SS-CFN-002',
  title: "A nested stack's template is judged with its parent",
  rationale:
    'An AWS::CloudFormation::Stack deploys whatever template its TemplateURL names at deploy time; unless that template is a NestedStack of this app, which the gate judges with the parent, nothing in it was checked.',
  fix: 'Build the nested stack as a cdk NestedStack (or cloudformation-include with loadNestedStacks) so its template is judged with the parent; prod cannot acknowledge SS-CFN-002.',
  severity: { dev: 'warning', staging: 'warning', prod: 'error' },
  unacknowledgeableIn: ['prod'],
  resourceTypes: ['AWS::CloudFormation::Stack'],
  evaluate(resource, { logicalId, judgedNestedStacks }) {
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
