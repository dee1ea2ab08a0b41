import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CHILD_TIMEOUT_MS, tracked } from '../../support/child-processes.js';

export const WORKER = fileURLToPath(new URL('./json-store-worker.mjs', import.meta.url));
const BUILT_STORE = fileURLToPath(new URL('../../../dist/infrastructure/storage/json/open-json-store.js', import.meta.url));

/** The child processes run the built store; fail clearly instead of timing out when it is missing. */
export function requireBuiltStore(): void {
  if (!existsSync(BUILT_STORE)) {
    throw new Error(`${BUILT_STORE} is missing: build first with \`npx tsc -p tsconfig.build.json\` (npm test does)`);
  }
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function startWorker(args: string[]): { child: ChildProcess; finished: Promise<Finished> } {
  const child = tracked(spawn(process.execPath, [WORKER, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: CHILD_TIMEOUT_MS }));
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const finished = new Promise<Finished>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, finished };
}

/** Resolves once the child printed `wrote <n>` with n >= writes. */
export function afterWrites(child: ChildProcess, writes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      const counts = [...chunk.toString().matchAll(/wrote (\d+)/g)].map((match) => Number(match[1]));
      if (counts.some((count) => count >= writes)) {
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('close', (code) => reject(new Error(`worker exited (${code}) before ${writes} writes`)));
  });
}
