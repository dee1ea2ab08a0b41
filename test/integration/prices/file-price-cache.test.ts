import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PriceSheet } from '../../../src/domain/price.js';
import { FilePriceCache, PRICE_CACHE_FILE_NAME } from '../../../src/infrastructure/prices/file-price-cache.js';

const SHEET: PriceSheet = { fetchedAt: 1_700_000_000_000, region: 'us-east-1', onDemand: { 'm5.large': 0.096 }, spot: { 'm5.large': { 'us-east-1a': 0.035 } } };

describe('the price cache file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'price-cache-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the sheet in the work dir (created when missing), with no temp file left', async () => {
    const workDir = join(dir, 'work');
    const cache = new FilePriceCache(join(workDir, PRICE_CACHE_FILE_NAME));
    expect(await cache.read()).toBeUndefined();
    await cache.write(SHEET);
    await cache.write({ ...SHEET, fetchedAt: SHEET.fetchedAt + 1 });
    expect(await new FilePriceCache(join(workDir, PRICE_CACHE_FILE_NAME)).read()).toEqual({ ...SHEET, fetchedAt: SHEET.fetchedAt + 1 });
    expect(readdirSync(workDir)).toEqual([PRICE_CACHE_FILE_NAME]);
  });

  it('reads a damaged or foreign file as no cache', async () => {
    const file = join(dir, PRICE_CACHE_FILE_NAME);
    writeFileSync(file, '{"fetchedAt": 1, "region": "x", "onDem');
    expect(await new FilePriceCache(file).read()).toBeUndefined();
    writeFileSync(file, JSON.stringify({ ...SHEET, onDemand: { 'm5.large': 'cheap' } }));
    expect(await new FilePriceCache(file).read()).toBeUndefined();
  });
});
