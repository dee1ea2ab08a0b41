import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openJsonStore } from '../../../src/infrastructure/storage/json/open-json-store.js';
import { anAcquireRequest } from '../../support/mothers.js';
import { requireBuiltStore, startWorker } from './json-store-processes.js';

const PROCESSES = 20;
const INCREMENTS_EACH = 5;

describe('JSON store shared by many processes', () => {
  let dir: string;

  beforeAll(async () => {
    requireBuiltStore();
    dir = await mkdtemp(path.join(tmpdir(), 'hf-json-concurrency-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(`loses no update when ${PROCESSES} processes update one request at once`, async () => {
    const store = await openJsonStore({ dir });
    await store.requests.create(
      anAcquireRequest({ requestId: 'req-shared', templateId: 'tpl', machineCount: 1, providerName: 'aws', providerData: { counter: 0 }, createdAt: 1, updatedAt: 1 }),
    );

    const runs = await Promise.all(
      Array.from({ length: PROCESSES }, () => startWorker(['increment', dir, 'req-shared', String(INCREMENTS_EACH)]).finished),
    );

    for (const run of runs) expect(run, run.stderr).toMatchObject({ code: 0 });
    const shared = await store.requests.get('req-shared');
    expect(shared?.providerData.counter).toBe(PROCESSES * INCREMENTS_EACH);
    expect(shared?.version).toBe(PROCESSES * INCREMENTS_EACH);
  });
});
