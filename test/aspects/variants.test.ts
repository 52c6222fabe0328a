import { MAX_VARIANTS, parameterDomain, variantsOf } from '../../aspects/variants';

describe('variantsOf', () => {
  test('is the resource itself when nothing varies', () => {
    const r = { Type: 'AWS::RDS::DBInstance', Properties: { MultiAZ: true } };
    expect(variantsOf(r, {})).toEqual([{ resource: r, notes: [] }]);
  });

  test('takes every branch of each condition once, consistently across properties', () => {
    const r = {
      Type: 'AWS::RDS::DBInstance',
      Properties: {
        MultiAZ: { 'Fn::If': ['Ha', true, false] },
        DeletionProtection: { 'Fn::If': ['Ha', true, { Ref: 'AWS::NoValue' }] },
      },
    };
    const v = variantsOf(r, {});
    expect(v.map((x) => [x.notes, x.resource.Properties])).toEqual([
      [['condition Ha true'], { MultiAZ: true, DeletionProtection: true }],
      [['condition Ha false'], { MultiAZ: false }],
    ]);
  });

  test('drops AWS::NoValue from lists', () => {
    const r = { Type: 'T', Properties: { L: ['a', { Ref: 'AWS::NoValue' }] } };
    expect(variantsOf(r, {})[0].resource.Properties).toEqual({ L: ['a'] });
  });

  test('takes each allowed value of a parameter', () => {
    const template = { Parameters: { Az: { Type: 'String', AllowedValues: ['true', 'false'] } } };
    const r = { Type: 'T', Properties: { MultiAZ: { Ref: 'Az' } } };
    expect(variantsOf(r, template).map((x) => x.resource.Properties)).toEqual([
      { MultiAZ: 'true' },
      { MultiAZ: 'false' },
    ]);
  });

  test('leaves a parameter the parent sets alone', () => {
    const template = { Parameters: { Az: { Type: 'String', AllowedValues: ['true', 'false'] } } };
    const r = { Type: 'T', Properties: { MultiAZ: { Ref: 'Az' } } };
    expect(variantsOf(r, template, () => false)).toHaveLength(1);
  });

  test('gives up expanding beyond the limit, leaving conditions to be judged unknown', () => {
    const props = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`P${i}`, { 'Fn::If': [`C${i}`, 1, 2] }]));
    expect(2 ** 7).toBeGreaterThan(MAX_VARIANTS);
    const v = variantsOf({ Type: 'T', Properties: props }, {});
    expect(v).toHaveLength(1);
    expect(v[0].resource.Properties).toEqual(props);
  });
});

describe('parameterDomain', () => {
  test.each([
    [{ AllowedValues: ['true'] }, ['true']],
    [{ AllowedValues: ['true', 'false'], AllowedPattern: 'true' }, ['true']],
    [{ AllowedPattern: '^(true|True)$' }, ['true', 'True']],
    [{ AllowedPattern: '(?:yes|no)' }, ['yes', 'no']],
    [{ AllowedPattern: '^[a-z]+$' }, undefined],
    [{ Type: 'String' }, undefined],
  ])('%j allows %j', (declaration, values) => {
    expect(parameterDomain(declaration)).toEqual(values);
  });
});
