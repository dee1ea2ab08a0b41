import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import lockfile from 'proper-lockfile';
import type { Machine } from '../../../src/domain/machine.js';
import type { Request } from '../../../src/domain/request.js';
import { JsonStoreFile } from '../../../src/infrastructure/storage/json/json-store-file.js';
import { openJsonStore } from '../../../src/infrastructure/storage/json/open-json-store.js';
import type { StoreHandle } from '../../../src/infrastructure/storage/store-handle.js';
import { aMachine, anAcquireRequest } from '../../support/mothers.js';

/** This file's requests and machines: the mothers' with fixed ids and small timestamps. */
function request(requestId: string, overrides: Partial<Request> = {}): Request {
  return anAcquireRequest({ requestId, templateId: 'tpl-a', machineCount: 2, providerName: 'aws', providerData: { fleetId: 'fleet-1' }, createdAt: 1_000, updatedAt: 1_000, ...overrides });
}

function machine(machineId: string, requestId: string, overrides: Partial<Machine> = {}): Machine {
  return aMachine(requestId, {
    machineId,
    name: `${machineId}.ec2.internal`,
    templateId: 'tpl-a',
    privateIpAddress: null,
    launchTime: 100,
    instanceType: 't3.micro',
    instanceTags: {},
    updatedAt: 1_000,
    ...overrides,
  });
}

describe('JSON store file', () => {
  let dir: string;
  let store: StoreHandle;
  let now: number;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hf-json-store-'));
    now = 5_000;
    store = await openJsonStore({ dir: path.join(dir, 'nested', 'store') }, { clock: { now: () => now } });
  });

  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const storeFile = () => path.join(dir, 'nested', 'store', 'hostfactory-store.json');

  it('keeps requests and machines in one pretty-printed document people can read', async () => {
    await store.requests.create(request('req-1'));
    await store.machines.addIfAbsent([machine('i-1', 'req-1')]);

    const text = await readFile(storeFile(), 'utf8');
    expect(text).toContain('\n  "requests": {\n');
    const document = JSON.parse(text);
    expect(document.requests['req-1']).toMatchObject({ requestId: 'req-1', templateId: 'tpl-a', version: 0 });
    expect(document.machines['i-1']).toMatchObject({ machineId: 'i-1', requestId: 'req-1' });
  });

  it('stamps updates with the clock and bumps the version', async () => {
    await store.requests.create(request('req-1'));
    now = 9_000;
    const updated = await store.requests.update({ ...request('req-1'), status: 'complete', message: 'done' });

    expect(updated).toMatchObject({ version: 1, updatedAt: 9_000, status: 'complete' });
    expect(await store.requests.get('req-1')).toEqual(updated);
  });

  it('reports a corrupt store file as CONFIG_INVALID naming it, and leaves it as it was', async () => {
    await store.requests.create(request('req-1'));
    await writeFile(storeFile(), '{"format": "hostfactory-store", "requests": {');

    await expect(store.requests.get('req-1')).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining(storeFile()) });
    await expect(store.requests.create(request('req-2'))).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(await readFile(storeFile(), 'utf8')).toBe('{"format": "hostfactory-store", "requests": {');
  });

  it('refuses a JSON file that is not a store document rather than overwriting it', async () => {
    await writeFile(storeFile(), JSON.stringify({ templates: [] }));

    await expect(store.machines.listLive()).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('hostfactory-store.json') });
    await expect(store.machines.addIfAbsent([machine('i-1', 'req-1')])).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(JSON.parse(await readFile(storeFile(), 'utf8'))).toEqual({ templates: [] });
  });

  it('leaves no temp or lock files behind and removes those a killed writer left', async () => {
    const storeDir = path.dirname(storeFile());
    await writeFile(path.join(storeDir, '.hostfactory-store.json.4242.abcdef.tmp'), '{"half": ');

    await store.requests.create(request('req-1'));
    await store.requests.update(request('req-1'));

    expect(await readdir(storeDir)).toEqual(['hostfactory-store.json']);
  });

  it('serialises concurrent writers of one process without losing an update', async () => {
    await store.requests.create(request('req-1', { providerData: { counter: 0 } }));
    const increment = async (): Promise<void> => {
      for (;;) {
        const current = (await store.requests.get('req-1')) as Request;
        try {
          await store.requests.update({ ...current, providerData: { counter: Number(current.providerData.counter) + 1 } });
          return;
        } catch (error) {
          if ((error as { code?: string }).code !== 'STORAGE_CONFLICT') throw error;
        }
      }
    };

    await Promise.all(Array.from({ length: 15 }, increment));

    expect(await store.requests.get('req-1')).toMatchObject({ version: 15, providerData: { counter: 15 } });
  });

  it('reads a file written before leases existed, and holds a lease in a "leases" section only while held', async () => {
    await store.requests.create(request('req-1'));
    const withoutLeases = await readFile(storeFile(), 'utf8');
    expect(JSON.parse(withoutLeases)).not.toHaveProperty('leases');

    const seen = await store.leases.withLease('ec2-fleet:fleet-1', async () => JSON.parse(await readFile(storeFile(), 'utf8')).leases, {
      ttlMs: 1_000,
    });

    expect(seen).toEqual({ 'ec2-fleet:fleet-1': { holder: expect.any(String), expiresAt: 6_000 } });
    expect(await readFile(storeFile(), 'utf8')).toBe(withoutLeases);
  });

  it('does not rewrite the file when nothing changed', async () => {

    await store.machines.addIfAbsent([machine('i-1', 'req-1')]);
    const before = await stat(storeFile());

    const again = await store.machines.addIfAbsent([machine('i-1', 'req-1', { status: 'running' })]);

    expect(again).toEqual([expect.objectContaining({ machineId: 'i-1', status: 'pending' })]);
    // Every write renames a new file into place, so an unchanged inode means no write happened.
    expect((await stat(storeFile())).ino).toBe(before.ino);
  });
});

describe('JSON store file lock', () => {
  let dir: string;
  let store: StoreHandle;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hf-json-lock-'));
    store = await openJsonStore({ dir }, { clock: { now: () => 5_000 } });
    file = path.join(dir, 'hostfactory-store.json');
    await store.requests.create(request('req-1'));
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Every lock the store takes, with `change` applied to its options. */
  function lockWith(change: (options: lockfile.LockOptions) => lockfile.LockOptions): void {
    const lock = lockfile.lock;
    vi.spyOn(lockfile, 'lock').mockImplementation((locked, options) => lock(locked, change(options ?? {})));
  }

  it('gives up with STORAGE_CONFLICT (retryable), writing nothing, when other processes hold the lock through every retry', async () => {
    const before = await readFile(file, 'utf8');
    // Another process holds the lock and keeps it fresh; the store tries a few times instead of its two minutes.
    const release = await lockfile.lock(file, { realpath: false, stale: 60_000 });
    lockWith((options) => ({ ...options, retries: { retries: 3, minTimeout: 5, maxTimeout: 10 } }));
    try {
      const failure = await store.requests.create(request('req-2')).catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: 'STORAGE_CONFLICT', retryable: true, message: `the JSON store file ${file} stayed locked by other processes; try again` });
      expect(await readFile(file, 'utf8')).toBe(before);
    } finally {
      await release();
    }
    await store.requests.create(request('req-2'));
    expect(await store.requests.get('req-2')).toBeDefined();
  });

  it('writes nothing and fails with STORAGE_CONFLICT when another process takes its lock over before it writes', async () => {
    const before = await readFile(file, 'utf8');
    let lost!: () => void;
    const compromised = new Promise<void>((resolve) => (lost = resolve));
    lockWith((options) => ({
      ...options,
      onCompromised: (error) => {
        options.onCompromised?.(error);
        lost();
      },
    }));
    const read = JsonStoreFile.prototype.read;
    vi.spyOn(JsonStoreFile.prototype, 'read').mockImplementation(async function (this: JsonStoreFile) {
      // This process stalls while holding the lock; another one takes the lock over as stale.
      await rm(`${file}.lock`, { recursive: true });
      await mkdir(`${file}.lock`);
      await compromised;
      return read.call(this);
    });

    const failure = await store.requests.create(request('req-2')).catch((error: unknown) => error);

    expect(failure).toMatchObject({ code: 'STORAGE_CONFLICT', message: `Lost the lock on the JSON store file ${file} before writing; nothing was written` });
    expect(await readFile(file, 'utf8')).toBe(before);
  });
});
