import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PriceSheet } from '../../../src/domain/price.js';
import { FilePriceCache, PRICE_CACHE_FILE_NAME } from '../../../src/infrastructure/prices/file-price-cache.js';

const SHEET: PriceSheet = {
  fetchedAt: 1_700_000_000_000,
  region: 'us-east-1',
  regions: {
    'us-east-1': { onDemand: { 'm5.large': 0.096 }, spot: { 'm5.large': { 'us-east-1a': 0.035 } } },
    'eu-west-1': { onDemand: { 'm5.large': 0.107 }, spot: {} },
  },
};

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
    writeFileSync(file, JSON.stringify({ version: 2, ...SHEET, regions: { 'us-east-1': { onDemand: { 'm5.large': 'cheap' }, spot: {} } } }));
    expect(await new FilePriceCache(file).read()).toBeUndefined();
  });

  it('reads a file of the format before regions (one region, no version) as no cache, and writes version 2', async () => {
    const file = join(dir, PRICE_CACHE_FILE_NAME);
    writeFileSync(file, JSON.stringify({ fetchedAt: 1, region: 'us-east-1', onDemand: { 'm5.large': 0.096 }, spot: {} }));
    expect(await new FilePriceCache(file).read()).toBeUndefined();
    writeFileSync(file, JSON.stringify(SHEET));
    expect(await new FilePriceCache(file).read(), 'no version: not this format').toBeUndefined();
    await new FilePriceCache(file).write(SHEET);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ version: 2, regions: { 'eu-west-1': { onDemand: { 'm5.large': 0.107 } } } });
  });
});
