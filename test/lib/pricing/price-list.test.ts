import { Decimal } from '../../../lib/pricing/decimal';
import * as dim from '../../../lib/pricing/dimensions';
import { PriceListItem, selectPrice, tieredCost } from '../../../lib/pricing/price-list';
import { reservedOnly, snapshotItems, variant } from '../../support/fakes/pricing';

/** Items in the Price List's own shape: the snapshot's records for us-east-1, without their `source`. */
const items = snapshotItems();
const bySku = (sku: string): PriceListItem => {
  const item = items.find((i) => i.product.sku === sku);
  if (!item) throw new Error(`no snapshot item ${sku}`);
  return item;
};
const m7gMultiAz = bySku('Z8HB5KU2V54F7ATT');
const gp3MultiAz = bySku('J7S7KD4WFDNQWKNX');

/** The decoys the instance filters must exclude: each differs from the real product in one attribute or its terms. */
const instanceDecoys: PriceListItem[] = [
  variant(m7gMultiAz, 'DECOYREADABLE001', {
    deploymentOption: 'Multi-AZ (readable standbys)',
    usagetype: 'Multi-AZClusterUsage:db.m7g.large',
  }),
  variant(m7gMultiAz, 'DECOYAURORAPG001', { databaseEngine: 'Aurora PostgreSQL' }),
  variant(m7gMultiAz, 'DECOYMYSQL000001', { databaseEngine: 'MySQL' }),
  variant(m7gMultiAz, 'DECOYBYOL0000001', { licenseModel: 'Bring your own license' }),
  variant(m7gMultiAz, 'DECOYOUTPOSTS001', { locationType: 'AWS Outposts' }),
  variant(m7gMultiAz, 'DECOYSINGLEAZ001', { deploymentOption: 'Single-AZ', usagetype: 'InstanceUsage:db.m7g.large' }),
  variant(m7gMultiAz, 'DECOYUSWEST20001', { regionCode: 'us-west-2', usagetype: 'USW2-Multi-AZUsage:db.m7g.large' }),
  reservedOnly(m7gMultiAz, 'DECOYRESERVED001'),
];

function strict(d: dim.PriceDimension) {
  return { serviceCode: d.serviceCode, filters: d.filters, mode: 'strict' as const };
}

describe('selectPrice', () => {
  const multiAz = dim.instanceHours('us-east-1', 'db.m7g.large', true);

  test('pins the Multi-AZ PostgreSQL instance among readable-standby, Aurora, MySQL, BYOL, Outposts and Reserved decoys', () => {
    const s = selectPrice([...instanceDecoys, m7gMultiAz], strict(multiAz));
    expect(s.ok && s.price.sku).toBe('Z8HB5KU2V54F7ATT');
    expect(s.ok && s.price.tiers.map((t) => t.usd.toString())).toEqual(['0.337']);
    expect(s.ok && s.price.unit).toBe('Hrs');
  });

  test('takes the OnDemand term of a product that also has Reserved terms', () => {
    const withReserved: PriceListItem = {
      ...m7gMultiAz,
      terms: { ...m7gMultiAz.terms, Reserved: reservedOnly(m7gMultiAz, 'Z8HB5KU2V54F7ATT').terms.Reserved },
    };
    const s = selectPrice([withReserved], strict(multiAz));
    expect(s.ok && s.price.tiers[0].usd.toString()).toBe('0.337');
  });

  test('is unpriced, naming both SKUs, when two products match', () => {
    const twin = variant(m7gMultiAz, 'TWINSKU000000001', {});
    const s = selectPrice([m7gMultiAz, twin], strict(multiAz));
    expect(s.ok).toBe(false);
    expect(!s.ok && s.reason).toMatch(/2 SKUs match .*\(TWINSKU000000001, Z8HB5KU2V54F7ATT\); refusing to pick one/);
  });

  test('is unpriced when only decoys are left', () => {
    const s = selectPrice(instanceDecoys, strict(multiAz));
    expect(!s.ok && s.reason).toMatch(
      /^no SKU matches servicecode=AmazonRDS, regionCode=us-east-1, .*deploymentOption=Multi-AZ/,
    );
  });

  test('a product with only Reserved terms is not a match, and says why', () => {
    const s = selectPrice([reservedOnly(m7gMultiAz, 'ONLYRESERVED0001')], strict(multiAz));
    expect(!s.ok && s.reason).toMatch(/ONLYRESERVED0001 has no OnDemand term/);
  });

  test('storage of the PostgreSQL engine, not the engine-Any product of the same usage type', () => {
    const any = variant(gp3MultiAz, 'ANYENGINE0000001', { databaseEngine: 'Any' });
    const d = dim.storage('us-east-1', 'gp3', true);
    const s = selectPrice([any, gp3MultiAz], strict(d));
    expect(s.ok && s.price.sku).toBe('J7S7KD4WFDNQWKNX');
    expect(s.ok && s.price.tiers[0].usd.toString()).toBe('0.23');
  });

  test('partial matching (snapshot records) tolerates absent attributes, never differing ones', () => {
    const d = dim.storage('us-west-2', 'gp3', false);
    // The us-west-2 gp3 record carries no databaseEngine: accepted on its usage type.
    const s = selectPrice(items, { ...strict(d), mode: 'partial', usageType: d.usageType });
    expect(s.ok && s.price.sku).toBe('W2B5U7TQ8BTUD7C8');
    const other = dim.storage('us-east-1', 'gp2', true);
    // The us-east-1 Multi-AZ gp2 record is for databaseEngine Any: not a PostgreSQL price.
    expect(selectPrice(items, { ...strict(other), mode: 'partial', usageType: other.usageType }).ok).toBe(false);
  });
});

describe('tieredCost', () => {
  const tiers = [
    { begin: Decimal.parse('0'), end: Decimal.parse('1048576'), usd: Decimal.parse('0.01') },
    { begin: Decimal.parse('1048576'), end: Decimal.parse('5242880'), usd: Decimal.parse('0.006') },
    { begin: Decimal.parse('5242880'), usd: Decimal.parse('0.004') },
  ];

  test.each([
    ['0', '0'],
    ['1', '0.01'],
    ['1048576', '10485.76'],
    ['1048577', '10485.766'],
    ['6291456', '10485.76 + 25165.824 + 4194.304'],
  ])('%s units', (quantity, expected) => {
    const want = expected
      .split(' + ')
      .map((p) => Decimal.parse(p))
      .reduce((a, b) => a.plus(b));
    expect(tieredCost(Decimal.parse(quantity), tiers).compare(want)).toBe(0);
  });
});
