import { fork } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/infrastructure/storage/open-store.js';
import { tracked } from '../../support/child-processes.js';
import { assertBuilt } from './store-workers.js';

const WORKER = fileURLToPath(new URL('../../support/lease-worker.mjs', import.meta.url));
const WORKERS = 2;
const ROUNDS = 20;
/** A worker still running after this is killed, and the test fails instead of hanging. */
const WORKER_TIMEOUT_MS = 90_000;
let dir = '';

beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'hf-sqlite-lease-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Forks test/support/lease-worker.mjs; `go()` releases it once every worker is `ready`. */
function startWorker(args: string[]) {
  const child = tracked(fork(WORKER, args, { execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], timeout: WORKER_TIMEOUT_MS }));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stderr })));
  const ready = new Promise<void>((resolve) => child.once('message', () => resolve()));
  return {
    ready: Promise.race([ready, exited.then(() => undefined)]),
    exited,
    go: () => child.connected && child.send('go'),
  };
}

describe('a resource lease in a SQLite store shared by separate processes', () => {
  it('keeps their read-modify-writes of one cloud resource apart', { timeout: 120_000 }, async () => {
    const url = `sqlite://${path.join(dir, 'hostfactory.db')}`;
    await (await openStore(url)).close(); // migrated up front, so both workers start at once
    const targetFile = path.join(dir, 'target-capacity');
    const logFile = path.join(dir, 'lease.log');
    await writeFile(targetFile, '0');
    await writeFile(logFile, '');

    const workers = Array.from({ length: WORKERS }, () =>
      startWorker([url, 'ec2-fleet:fleet-shared', targetFile, logFile, String(ROUNDS)]),
    );
    await Promise.all(workers.map((worker) => worker.ready));
    for (const worker of workers) worker.go();
    const exits = await Promise.all(workers.map((worker) => worker.exited));

    for (const exit of exits) expect(exit, exit.stderr).toMatchObject({ code: 0, signal: null });
    expect(Number(await readFile(targetFile, 'utf8'))).toBe(WORKERS * ROUNDS);
    const events = (await readFile(logFile, 'utf8')).trim().split('\n');
    expect(events).toHaveLength(2 * WORKERS * ROUNDS);
    const pairs = Array.from({ length: events.length / 2 }, (_, i) => events.slice(2 * i, 2 * i + 2));
    expect(pairs).toEqual(pairs.map(([enter]) => [enter, enter.replace('enter', 'exit')]));
  });
});
