import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { resolveRuntimeSettings } from '../infrastructure/config/runtime-settings.js';
import { EXIT_CODE_HEADER, fromHeaderBytes, INPUT_FILE_HEADER, SOCKET_FILE_NAME, STDERR_HEADER, toHeaderBytes, type HostFactoryOperation } from '../shared/hostfactory-protocol.js';

/**
 * How a call to `hostfactory serve` went:
 * - `answered`: the server ran the call; print what it says, exit with its code;
 * - `not-sent`: no server took it (no socket, connection refused, an input only the CLI can
 *   report on) or the server refused it before running it: run it in-process;
 * - `lost`: the server received it and ended before answering: it may have been carried out.
 */
export type ServeCall =
  | { kind: 'answered'; exitCode: number; stdout: Buffer; stderrLine?: string }
  | { kind: 'not-sent' }
  | { kind: 'lost' };

/** Sends `<operation> -f <file>` to the server of the provider instance HostFactory's environment names. */
export async function callServer(operation: HostFactoryOperation, file: string, env: NodeJS.ProcessEnv): Promise<ServeCall> {
  const fileHeader = toHeaderBytes(file);
  const body = fileHeader === undefined ? undefined : await readFile(file).catch(() => undefined);
  if (fileHeader === undefined || body === undefined) return { kind: 'not-sent' };
  const socketPath = join(resolveRuntimeSettings(env).workDir, SOCKET_FILE_NAME);
  return new Promise((resolve) => {
    let connected = false;
    const call = request({
      socketPath,
      method: 'POST',
      path: `/v1/${operation}`,
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': body.length, connection: 'close', [INPUT_FILE_HEADER]: fileHeader },
    });
    call.once('socket', (socket) => socket.once('connect', () => (connected = true)));
    call.once('error', () => resolve(connected ? { kind: 'lost' } : { kind: 'not-sent' }));
    call.once('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('error', () => resolve({ kind: 'lost' }));
      response.once('end', () => {
        if (!response.complete) return resolve({ kind: 'lost' });
        const exitCode = response.headers[EXIT_CODE_HEADER];
        if (typeof exitCode !== 'string' || !/^[0-9]+$/.test(exitCode)) return resolve({ kind: 'not-sent' });
        const stderr = response.headers[STDERR_HEADER];
        resolve({ kind: 'answered', exitCode: Number(exitCode), stdout: Buffer.concat(chunks), stderrLine: typeof stderr === 'string' ? fromHeaderBytes(stderr) : undefined });
      });
    });
    call.end(body);
  });
}
