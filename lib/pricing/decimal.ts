/**
 * Exact decimal arithmetic for prices and quantities. Price List figures carry ten decimals (`0.0000050000`), so floating
 * point would drift; every amount here is a bigint scaled by a power of ten.
 */

const DECIMAL_PATTERN = /^(-)?(\d+)(?:\.(\d+))?$/;

export class Decimal {
  private constructor(
    /** The value times 10^scale. */
    private readonly units: bigint,
    private readonly scale: number,
  ) {}

  static readonly ZERO = new Decimal(0n, 0);

  /** Parses `123`, `0.016`, `-1.50`; throws on anything else (exponents, blanks, NaN). */
  static parse(text: string): Decimal {
    const m = DECIMAL_PATTERN.exec(text.trim());
    if (!m) throw new RangeError(`not a decimal number: '${text}'`);
    const fraction = m[3] ?? '';
    const units = BigInt(`${m[2]}${fraction}`);
    return new Decimal(m[1] ? -units : units, fraction.length);
  }

  /** A finite JavaScript number, via its shortest decimal text (`0.1` is exactly 0.1 here). */
  static of(value: number): Decimal {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    const text = String(value);
    if (!/e/i.test(text)) return Decimal.parse(text);
    return Decimal.parse(value.toFixed(20).replace(/0+$/, '').replace(/\.$/, ''));
  }

  private static align(a: Decimal, b: Decimal): [bigint, bigint, number] {
    const scale = Math.max(a.scale, b.scale);
    return [a.units * 10n ** BigInt(scale - a.scale), b.units * 10n ** BigInt(scale - b.scale), scale];
  }

  plus(other: Decimal): Decimal {
    const [a, b, scale] = Decimal.align(this, other);
    return new Decimal(a + b, scale);
  }

  minus(other: Decimal): Decimal {
    const [a, b, scale] = Decimal.align(this, other);
    return new Decimal(a - b, scale);
  }

  times(other: Decimal): Decimal {
    return new Decimal(this.units * other.units, this.scale + other.scale);
  }

  /** This divided by `other`, rounded to `places` decimals half away from zero; throws on division by zero. */
  dividedBy(other: Decimal, places = 10): Decimal {
    if (other.units === 0n) throw new RangeError('division by zero');
    // (u1 / 10^s1) / (u2 / 10^s2) = u1 * 10^(s2 - s1) / u2; scaled by 10^places, with one extra digit to round.
    const shift = places + 1 + other.scale - this.scale;
    const numerator = shift >= 0 ? this.units * 10n ** BigInt(shift) : this.units / 10n ** BigInt(-shift);
    const q = numerator / other.units;
    return new Decimal(q, places + 1).round(places);
  }

  compare(other: Decimal): -1 | 0 | 1 {
    const [a, b] = Decimal.align(this, other);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  isZero(): boolean {
    return this.units === 0n;
  }

  /** Rounded to `places` decimals, half away from zero (as invoices round). */
  round(places: number): Decimal {
    if (places >= this.scale) return new Decimal(this.units * 10n ** BigInt(places - this.scale), places);
    const divisor = 10n ** BigInt(this.scale - places);
    const negative = this.units < 0n;
    const abs = negative ? -this.units : this.units;
    let q = abs / divisor;
    if ((abs % divisor) * 2n >= divisor) q += 1n;
    return new Decimal(negative ? -q : q, places);
  }

  /** Fixed-point text with exactly `places` decimals. */
  toFixed(places: number): string {
    const r = this.round(places);
    const negative = r.units < 0n;
    const digits = (negative ? -r.units : r.units).toString().padStart(places + 1, '0');
    const int = digits.slice(0, digits.length - places);
    const frac = digits.slice(digits.length - places);
    return `${negative ? '-' : ''}${int}${places > 0 ? `.${frac}` : ''}`;
  }

  /** Shortest exact text: `0.016`, `730`, `17.5`. */
  toString(): string {
    const text = this.toFixed(this.scale);
    return this.scale > 0 ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
  }

  /** The nearest JavaScript number; its JSON text is the shortest that round-trips, so output stays stable. */
  toNumber(): number {
    return Number(this.toString());
  }
}

/** Sum of decimals; zero for none. */
export function sum(values: readonly Decimal[]): Decimal {
  return values.reduce((a, b) => a.plus(b), Decimal.ZERO);
}
