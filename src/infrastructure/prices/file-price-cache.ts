import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { PriceCache } from '../../domain/ports/price-cache.js';
import type { PriceSheet } from '../../domain/price.js';
import { writeFileAtomic } from '../files/write-file-atomic.js';

export const PRICE_CACHE_FILE_NAME = 'prices.json';

/** The file's format; a file of another version (or of none: prices of one region only, before templates named regions) reads as missing, so `prices` fetches again. */
export const PRICE_CACHE_VERSION = 2;

const usd = z.number().nonnegative();
const sheetSchema = z.object({
  version: z.literal(PRICE_CACHE_VERSION),
  fetchedAt: z.number(),
  region: z.string(),
  regions: z.record(z.string(), z.object({ onDemand: z.record(z.string(), usd), spot: z.record(z.string(), z.record(z.string(), usd)) })),
});

/** The price sheet as a JSON file of the provider's work dir (`prices.json`), replaced by rename. */
export class FilePriceCache implements PriceCache {
  constructor(private readonly file: string) {}

  async read(): Promise<PriceSheet | undefined> {
    try {
      const parsed = sheetSchema.safeParse(JSON.parse(await readFile(this.file, 'utf8')));
      if (!parsed.success) return undefined;
      const { version: _version, ...sheet } = parsed.data;
      return sheet;
    } catch {
      return undefined;
    }
  }

  async write(sheet: PriceSheet): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    await writeFileAtomic(this.file, `${JSON.stringify({ version: PRICE_CACHE_VERSION, ...sheet }, null, 2)}\n`);
  }
}
