import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHILD_TIMEOUT_MS, tracked } from './child-processes.js';
import { REPO, type HostFactoryInstance, type Operation, type RunResult } from './hostfactory-harness.js';

const CLI = join(REPO, 'dist/bundle/hostfactory.js');
/** The small client the scripts run when curl is not on PATH. */
export const CLIENT = join(REPO, 'dist/bundle/hostfactory-client.js');

/** How a script call reaches the provider: as before serve existed, or through the server. */
export type CallPath = 'in-process' | 'curl' | 'node-client';

export interface ServeReady {
  provider: string;
  socket: string;
  url?: string;
  pid: number;
}

/** A `hostfactory serve` child of this test (tracked: test/support/setup.ts kills it if the test leaves it running). */
export interface ServeProcess {
  child: ChildProcess;
  ready: ServeReady;
  /** What it wrote on stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (or the signal) once it has exited. */
  exited: Promise<number | NodeJS.Signals>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<number | NodeJS.Signals>;
}

export interface ServeOptions {
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /**
   * Started in beforeAll for the tests of a file: not tracked (setup.ts would kill it after the
   * first test); the file stops it in afterAll, and its own timeout ends it at worst.
   */
  outlivesTest?: boolean;
}

/** Starts `hostfactory --json serve <args>` for the instance and waits for its ready line. */
export function startServe(hf: HostFactoryInstance, options: ServeOptions = {}): Promise<ServeProcess> {
  const started = spawn(process.execPath, [CLI, '--json', 'serve', ...(options.args ?? [])], { env: { ...hf.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: CHILD_TIMEOUT_MS });
  const child = options.outlivesTest ? started : tracked(started);
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal!)));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!stdout.includes('\n')) return;
      const ready = JSON.parse(stdout.slice(0, stdout.indexOf('\n'))) as ServeReady;
      resolve({
        child,
        ready,
        stderr: () => stderr,
        exited,
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => reject(new Error(`serve exited (${code}) before it was ready: ${stderr}`)));
  });
}

/** Writes `input` to a file of the instance (a string as is) and returns its path. */
export function inputFile(hf: HostFactoryInstance, input: unknown): string {
  const file = join(hf.root, `in-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof input === 'string' ? input : JSON.stringify(input));
  return file;
}

/**
 * One script call by `path`: `in-process` runs the full CLI as the scripts did before serve existed;
 * `curl` runs the real script with HOSTFACTORY_NODE pointing at a binary that cannot run, so only an
 * answer from curl can succeed; `node-client` runs the client the script runs when curl is missing.
 */
export function callBy(path: CallPath, hf: HostFactoryInstance, operation: Operation, file: string): Promise<RunResult> {
  switch (path) {
    case 'in-process':
      return hf.exec(process.execPath, [CLI, operation, '-f', file]);
    case 'curl':
      return hf.exec(join(REPO, 'scripts', `${operation}.sh`), ['-f', file], { env: { HOSTFACTORY_NODE: '/nonexistent/node' } });
    case 'node-client':
      return hf.exec(process.execPath, [CLIENT, operation, '-f', file]);
  }
}

/** Waits until `condition` holds, polling; the test's own timeout is what bounds it (the attempts only name the wait if it is never met). */
export async function until(condition: () => boolean, what: string, attempts = 15_000): Promise<void> {
  for (let attempt = 0; !condition(); attempt++) {
    if (attempt >= attempts) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const socketOf = (hf: HostFactoryInstance) => join(hf.workDir, 'hostfactory.sock');
export const socketExists = (hf: HostFactoryInstance) => existsSync(socketOf(hf));

/** The debug lines the server logged for each operation it ran (LOG_LEVEL debug), by the server's pid. */
export function operationsRunBy(hf: HostFactoryInstance, pid: number): string[] {
  return hf.logLines().filter((line) => line.pid === pid && line.msg === 'operation input').map((line) => String(line.operation));
}
