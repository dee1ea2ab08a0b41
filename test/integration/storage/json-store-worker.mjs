// A separate process using the built JSON store (dist/), driven by the JSON store integration
// tests. Usage:
//   node json-store-worker.mjs increment <dir> <requestId> <times>
//     adds 1 to providerData.counter of the request <times> times, retrying on STORAGE_CONFLICT.
//   node json-store-worker.mjs churn <dir>
//     creates and updates requests and machines forever, printing "wrote <n>" after each write.
import 'reflect-metadata';
import { existsSync } from 'node:fs';

const modulePath = new URL('../../../dist/infrastructure/storage/json/open-json-store.js', import.meta.url);
if (!existsSync(modulePath)) {
  process.stderr.write(`missing ${modulePath.pathname}: run npx tsc -p tsconfig.build.json\n`);
  process.exit(2);
}
const { openJsonStore } = await import(modulePath.href);

const [mode, dir, ...rest] = process.argv.slice(2);
const store = await openJsonStore({ dir });

if (mode === 'increment') {
  const [requestId, times] = rest;
  let conflicts = 0;
  for (let done = 0; done < Number(times); ) {
    const request = await store.requests.get(requestId);
    const counter = Number(request.providerData.counter ?? 0);
    try {
      await store.requests.update({ ...request, providerData: { ...request.providerData, counter: counter + 1 } });
      done++;
    } catch (error) {
      if (error.code !== 'STORAGE_CONFLICT') throw error;
      conflicts++;
    }
  }
  process.stdout.write(JSON.stringify({ conflicts }) + '\n');
} else if (mode === 'churn') {
  const padding = 'x'.repeat(4096);
  for (let n = 1; ; n++) {
    const requestId = `req-churn-${process.pid}-${n}`;
    await store.requests.create({
      requestId,
      kind: 'acquire',
      status: 'running',
      templateId: 'tpl',
      machineCount: n,
      providerName: 'churn',
      providerData: { padding },
      createdAt: n,
      updatedAt: n,
      version: 0,
    });
    await store.machines.addIfAbsent([
      {
        machineId: `i-${process.pid}-${n}`,
        name: `ip-10-0-0-${n}.ec2.internal`,
        requestId,
        templateId: 'tpl',
        status: 'pending',
        privateIpAddress: null,
        publicIpAddress: null,
        launchTime: n,
        instanceType: 't3.micro',
        priceType: 'ondemand',
        weight: 1,
        instanceTags: {},
        cloudHostId: null,
        version: 0,
        updatedAt: n,
      },
    ]);
    process.stdout.write(`wrote ${n}\n`);
  }
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
