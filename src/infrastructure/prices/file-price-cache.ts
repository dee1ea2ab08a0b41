import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { PriceCache } from '../../domain/ports/price-cache.js';
import type { PriceSheet } from '../../domain/price.js';
import { writeFileAtomic } from '../files/write-file-atomic.js';

export const PRICE_CACHE_FILE_NAME = 'prices.json';

const usd = z.number().nonnegative();
const sheetSchema = z.object({
  fetchedAt: z.number(),
  region: z.string(),
  onDemand: z.record(z.string(), usd),
  spot: z.record(z.string(), z.record(z.string(), usd)),
});

/** The price sheet as a JSON file of the provider's work dir (`prices.json`), replaced by rename. */
export class FilePriceCache implements PriceCache {
  constructor(private readonly file: string) {}

  async read(): Promise<PriceSheet | undefined> {
    try {
      const parsed = sheetSchema.safeParse(JSON.parse(await readFile(this.file, 'utf8')));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  async write(sheet: PriceSheet): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    await writeFileAtomic(this.file, `${JSON.stringify(sheet, null, 2)}\n`);
  }
}
