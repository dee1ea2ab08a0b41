// One HostFactory-like process for the cross-process lease test (test/integration/storage).
// Usage: node lease-worker.mjs <store-url> <resource> <target-file> <log-file> <rounds>
// Imports the BUILT store (dist/), says "ready" over IPC, waits for "go", then <rounds> times
// takes the lease on <resource> and, holding it, does what the AWS provider does to a fleet's
// target capacity: reads it (a plain file here, with no locking of its own), waits a little as a
// cloud call would, writes it back plus one. Every enter and exit is appended to <log-file>.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const [url, resource, targetFile, logFile, roundsText] = process.argv.slice(2);
const { openStore } = await import(new URL('../../dist/infrastructure/storage/open-store.js', import.meta.url).href);

process.send('ready');
await new Promise((resolve) => process.once('message', resolve));
try {
  const store = await openStore(url);
  for (let round = 0; round < Number(roundsText); round += 1) {
    await store.leases.withLease(
      resource,
      async () => {
        appendFileSync(logFile, `enter ${process.pid}\n`);
        const target = Number(readFileSync(targetFile, 'utf8'));
        await sleep(5 + Math.random() * 20);
        writeFileSync(targetFile, String(target + 1));
        appendFileSync(logFile, `exit ${process.pid}\n`);
      },
      { waitMs: 60_000 },
    );
  }
  await store.close();
  process.send({ done: true }, () => process.exit(0));
} catch (error) {
  process.stderr.write(`lease worker ${process.pid}: ${error?.stack ?? error}\n`);
  process.exit(1);
}
