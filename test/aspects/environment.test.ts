import { App, Stack } from 'aws-cdk-lib';
import { complianceTargetOf, markComplianceTarget, ownComplianceTarget } from '../../aspects/environment';

const PROD = { environment: 'prod', nagPacks: ['AwsSolutions', 'NIST80053R5'], minBackupRetentionDays: 14 } as const;
const DEV = { environment: 'dev', nagPacks: ['AwsSolutions'], minBackupRetentionDays: 1 } as const;

describe('environment markings', () => {
  test('only add up: a later, laxer marking of the same scope keeps the stricter one', () => {
    const stack = new Stack(new App(), 'Orders');
    markComplianceTarget(stack, PROD);
    markComplianceTarget(stack, DEV);
    expect(complianceTargetOf(stack)).toEqual(PROD);
  });
  test('are not properties of the construct that the judged code can overwrite', () => {
    const app = new App();
    const stack = new Stack(app, 'Orders');
    markComplianceTarget(stack, PROD);
    Object.assign(stack, { [Symbol.for('spendsense.compliance.target')]: DEV });
    for (const key of Reflect.ownKeys(stack)) {
      const value: unknown = Reflect.get(stack, key);
      expect(value).not.toEqual(PROD);
    }
    expect(complianceTargetOf(stack)?.environment).toBe('prod');
  });
  test('hand out frozen targets, packs and all', () => {
    const stack = new Stack(new App(), 'Orders');
    markComplianceTarget(stack, PROD);
    const target = ownComplianceTarget(stack)!;
    expect(() => Object.assign(target, { environment: 'dev' })).toThrow(TypeError);
    expect(() => (target.nagPacks as string[]).splice(0)).toThrow(TypeError);
    expect(complianceTargetOf(stack)).toEqual(PROD);
  });
});
