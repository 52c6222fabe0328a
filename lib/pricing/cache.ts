/**
 * A disk cache of Price List answers, one file per request, valid for a TTL. Files are written to a temporary name and
 * renamed, so a reader never sees half a file; an unreadable or foreign file counts as a miss.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PriceListItem } from './price-list';
import { isPriceListItem } from './price-list';

export const DEFAULT_CACHE_TTL_MS = 24 * 60 * 60 * 1000;
const FORMAT = 1;

interface CacheFile {
  readonly format: number;
  readonly key: string;
  /** Epoch milliseconds of the answer. */
  readonly fetchedAt: number;
  readonly items: readonly PriceListItem[];
}

export class PriceCache {
  constructor(
    readonly dir: string,
    private readonly ttlMs = DEFAULT_CACHE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  private file(key: string): string {
    return join(this.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
  }

  /** The cached items for `key` if younger than the TTL. */
  get(key: string): readonly PriceListItem[] | undefined {
    let parsed: Partial<CacheFile>;
    try {
      parsed = JSON.parse(readFileSync(this.file(key), 'utf8')) as Partial<CacheFile>;
    } catch {
      return undefined;
    }
    if (parsed.format !== FORMAT || parsed.key !== key || typeof parsed.fetchedAt !== 'number') return undefined;
    const age = this.now() - parsed.fetchedAt;
    if (age < 0 || age >= this.ttlMs) return undefined;
    if (!Array.isArray(parsed.items) || !parsed.items.every(isPriceListItem)) return undefined;
    return parsed.items;
  }

  set(key: string, items: readonly PriceListItem[]): void {
    mkdirSync(this.dir, { recursive: true });
    const target = this.file(key);
    const temp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    const body: CacheFile = { format: FORMAT, key, fetchedAt: this.now(), items };
    writeFileSync(temp, `${JSON.stringify(body)}\n`);
    renameSync(temp, target);
  }
}
