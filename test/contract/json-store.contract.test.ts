import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openJsonStore } from '../../src/infrastructure/storage/json/open-json-store.js';
import { describeRepositoryContract } from './repositories-contract.js';

let dir = '';
let count = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hf-json-contract-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describeRepositoryContract('json', (clock) => {
  count += 1;
  return openJsonStore({ dir: path.join(dir, `store-${count}`) }, { clock });
});
