import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openStore } from '../../src/infrastructure/storage/open-store.js';
import { describeRepositoryContract } from './repositories-contract.js';

let dir = '';
let count = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hf-sqlite-contract-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describeRepositoryContract('sqlite', (clock) => {
  count += 1;
  return openStore(`sqlite://${path.join(dir, `store-${count}`, 'hostfactory.db')}`, { clock });
});
