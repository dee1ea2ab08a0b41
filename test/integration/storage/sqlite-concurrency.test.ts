import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/infrastructure/storage/open-store.js';
import { expectNoLostUpdate } from './concurrency-expectations.js';
import { assertBuilt, runStoreWorkers } from './store-workers.js';

const WORKERS = 20;
let dir = '';

beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'hf-sqlite-concurrency-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('SQLite store shared by concurrent processes', () => {
  it(`${WORKERS} processes starting at once on a fresh file migrate it, and lose no update`, { timeout: 180_000 }, async () => {
    const url = `sqlite://${path.join(dir, 'fresh', 'hostfactory.db')}`;

    const outcomes = await runStoreWorkers(url, WORKERS, 'req-shared');

    const store = await openStore(url);
    try {
      await expectNoLostUpdate(store, outcomes, WORKERS, 'req-shared');
    } finally {
      await store.close();
    }
  });
});
