import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CHILD_TIMEOUT_MS, tracked } from '../../support/child-processes.js';

const WORKER = fileURLToPath(new URL('../../support/store-worker.mjs', import.meta.url));
const BUILT_STORE = fileURLToPath(new URL('../../../dist/infrastructure/storage/open-store.js', import.meta.url));

export interface WorkerOutcome {
  index: number;
  exitCode: number | null;
  stderr: string;
  /** Stale updates the worker saw and retried. */
  conflicts: number;
}

/** Throws a clear error when the workers' import target (dist/) has not been built. */
export function assertBuilt(): void {
  if (!existsSync(BUILT_STORE)) {
    throw new Error(`${BUILT_STORE} is missing: run \`npm run build\` first (\`npm test\` builds before testing)`);
  }
}

/**
 * Starts `count` separate Node processes running test/support/store-worker.mjs on `url`, lets
 * them all load, then releases them at once so their migrations and writes race.
 */
export async function runStoreWorkers(url: string, count: number, sharedRequestId: string): Promise<WorkerOutcome[]> {
  const workers = Array.from({ length: count }, (_, index) => {
    const child = tracked(fork(WORKER, [url, String(index), sharedRequestId], { execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], timeout: CHILD_TIMEOUT_MS }));
    let stderr = '';
    let conflicts = 0;
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const ready = new Promise<void>((resolve) => child.once('message', () => resolve()));
    const finished = new Promise<WorkerOutcome>((resolve) => {
      child.on('message', (message: unknown) => {
        if (typeof message === 'object' && message !== null && 'conflicts' in message) conflicts = Number(message.conflicts);
      });
      child.once('exit', (exitCode) => resolve({ index, exitCode, stderr, conflicts }));
    });
    return { child, ready: Promise.race([ready, finished.then(() => undefined)]), finished };
  });
  await Promise.all(workers.map((worker) => worker.ready));
  for (const { child } of workers) if (child.connected) child.send('go');
  return Promise.all(workers.map((worker) => worker.finished));
}
