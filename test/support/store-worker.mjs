// One HostFactory-like process for the storage concurrency tests (test/integration/storage).
// Usage: node store-worker.mjs <store-url> <worker-index> <shared-request-id>
// Imports the BUILT store (dist/), says "ready" over IPC, waits for "go", then: opens the store
// (running migrations, racing the other workers), makes sure the shared request exists, creates a
// request of its own, records the same discovered machines as everyone else, and adds itself to
// the shared request's counter with read -> update -> retry on STORAGE_CONFLICT.
import { setTimeout as sleep } from 'node:timers/promises';

const [url, indexText, sharedId] = process.argv.slice(2);
const index = Number(indexText);
const { openStore } = await import(new URL('../../dist/infrastructure/storage/open-store.js', import.meta.url).href);

const SHARED_MACHINES = ['i-00000000000000001', 'i-00000000000000002', 'i-00000000000000003'];

function request(requestId, providerData) {
  const now = Date.now();
  return {
    requestId, kind: 'acquire', status: 'running', templateId: 'tpl', machineCount: 1,
    providerName: 'awsinst', providerData, createdAt: now, updatedAt: now, version: 0,
  };
}

function machine(machineId) {
  return {
    machineId, name: `host-${machineId}`, requestId: sharedId, templateId: 'tpl', status: 'pending',
    privateIpAddress: null, publicIpAddress: null, launchTime: 0, instanceType: 'm5.large',
    priceType: 'ondemand', weight: 1, instanceTags: { worker: String(index) }, cloudHostId: null,
    version: 0, updatedAt: Date.now(),
  };
}

/** Retries what a real use case would retry: a retryable STORAGE_CONFLICT. */
async function retrying(operation) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      if (error?.code !== 'STORAGE_CONFLICT' || !error.retryable || attempt >= 1000) throw error;
      await sleep(2 + Math.random() * 20);
    }
  }
}

async function ensureShared(store) {
  for (;;) {
    if (await retrying(() => store.requests.get(sharedId))) return;
    try {
      await store.requests.create(request(sharedId, { counter: 0, workers: [] }));
    } catch (error) {
      if (error?.code !== 'STORAGE_CONFLICT') throw error;
    }
  }
}

let conflicts = 0;
async function addMyselfToCounter(store) {
  for (;;) {
    const shared = await retrying(() => store.requests.get(sharedId));
    const { counter, workers } = shared.providerData;
    try {
      await store.requests.update({ ...shared, providerData: { counter: counter + 1, workers: [...workers, index] } });
      return;
    } catch (error) {
      if (error?.code !== 'STORAGE_CONFLICT' || !error.retryable) throw error;
      conflicts += 1;
      await sleep(Math.random() * 10);
    }
  }
}

process.send('ready');
await new Promise((resolve) => process.once('message', resolve));
try {
  const store = await openStore(url);
  await ensureShared(store);
  await retrying(() => store.requests.create(request(`req-worker-${index}`, { worker: index })));
  await retrying(() => store.machines.addIfAbsent(SHARED_MACHINES.map(machine)));
  await addMyselfToCounter(store);
  await store.close();
  process.send({ done: true, conflicts }, () => process.exit(0));
} catch (error) {
  process.stderr.write(`worker ${index}: ${error?.stack ?? error}\n${error?.cause ? `cause: ${error.cause.stack ?? error.cause}\n` : ''}`);
  process.exit(1);
}
