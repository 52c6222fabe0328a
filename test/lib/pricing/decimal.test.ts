import { Decimal, sum } from '../../../lib/pricing/decimal';

describe('Decimal', () => {
  test('multiplies Price List figures exactly', () => {
    expect(Decimal.parse('0.0000030000').times(Decimal.of(20000)).toString()).toBe('0.06');
    expect(Decimal.parse('0.3370000000').times(Decimal.of(730)).toString()).toBe('246.01');
    expect(Decimal.parse('0.095').times(Decimal.of(17.5)).toString()).toBe('1.6625');
    // Floating point gives 0.30000000000000004 for the same sum.
    expect(sum([Decimal.of(0.1), Decimal.of(0.2)]).toString()).toBe('0.3');
  });

  test('rounds half away from zero', () => {
    expect(Decimal.parse('1.6625').toFixed(2)).toBe('1.66');
    expect(Decimal.parse('0.095').toFixed(2)).toBe('0.10');
    expect(Decimal.parse('-0.005').toFixed(2)).toBe('-0.01');
    expect(Decimal.parse('2').toFixed(2)).toBe('2.00');
  });

  test('JSON numbers come from the exact text', () => {
    expect(JSON.stringify(Decimal.parse('0.0000050000').toNumber())).toBe('0.000005');
    expect(JSON.stringify(Decimal.parse('125.850000').toNumber())).toBe('125.85');
  });

  test('rejects what is not a plain decimal', () => {
    expect(() => Decimal.parse('1e-7')).toThrow(/not a decimal number: '1e-7'/);
    expect(() => Decimal.parse('')).toThrow(/not a decimal number/);
    expect(Decimal.of(1e-7).toString()).toBe('0.0000001');
  });
});
