import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openJsonStore } from '../../../src/infrastructure/storage/json/open-json-store.js';
import { aReturnRequest } from '../../support/mothers.js';
import { afterWrites, requireBuiltStore, startWorker } from './json-store-processes.js';

describe('JSON store killed mid-write', () => {
  let dir: string;

  beforeAll(async () => {
    requireBuiltStore();
    dir = await mkdtemp(path.join(tmpdir(), 'hf-json-crash-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('always leaves a complete, parseable store file that the next process can write to', async () => {
    // Each round kills a writer that is busy rewriting a growing file, at a different point.
    for (const writes of [3, 11, 20, 21]) {
      const { child, finished } = startWorker(['churn', dir]);
      await afterWrites(child, writes);
      child.kill('SIGKILL');
      const run = await finished;
      expect(run.signal).toBe('SIGKILL');

      const text = await readFile(path.join(dir, 'hostfactory-store.json'), 'utf8');
      const document = JSON.parse(text);
      expect(Object.keys(document.requests).length).toBeGreaterThanOrEqual(writes);
    }

    // The killed writers' leftovers (stale lock, temp file) do not stop the next writer.
    const store = await openJsonStore({ dir });
    const before = (await store.requests.listOutstanding()).length;
    await store.requests.create(aReturnRequest({ requestId: 'req-after-crash', machineCount: 0, providerName: 'aws', createdAt: 1, updatedAt: 1 }));
    expect(await store.requests.listOutstanding()).toHaveLength(before + 1);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
