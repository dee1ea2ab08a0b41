import { existsSync, mkdirSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertSchema, HostFactoryInstance, pollUntilDone } from '../../support/hostfactory-harness.js';
import { callBy, inputFile, operationsRunBy, socketExists, socketOf, startServe } from '../../support/serve-harness.js';

const LOST_REQUEST_MACHINES =
  "the hostfactory server of this provider instance received this requestMachines call and ended before answering; it may have been carried out, so it is not run again: see the server's log and `hostfactory requests list`";

const fakes: Server[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Listens on the instance's socket path with `server`, as a real server would. */
async function listenAsServer(hf: HostFactoryInstance, server: Server): Promise<Server> {
  fakes.push(server);
  mkdirSync(hf.workDir, { recursive: true });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socketOf(hf), resolve));
  return server;
}

/** A server that takes every call and ends the connection without a word: a server dying mid-call. */
function dyingServer(received: string[]): Server {
  return createServer((socket) => socket.once('data', (chunk) => {
    received.push(chunk.toString('latin1').split('\r\n').find((line) => /^user-agent:/i.test(line)) ?? 'node');
    socket.destroy();
  }));
}

async function requestsRecorded(hf: HostFactoryInstance): Promise<string[]> {
  return (await hf.cli(['requests', 'list', '--json'])).json.requests.map((request: any) => request.requestId);
}

describe('the scripts when the server does not answer', () => {
  it('a repeatable call the server took and never answered runs in-process, and is answered once', async () => {
    const hf = new HostFactoryInstance({ config: { SIM_BOOT_DELAY_SEC: 0 } });
    const requested = await hf.script('requestMachines', { template: { templateId: 'OnDemand-Small', machineCount: 1 } });
    await pollUntilDone(hf, requested.json.requestId);
    const file = inputFile(hf, { requests: [{ requestId: requested.json.requestId }] });
    const inProcess = await callBy('in-process', hf, 'getRequestStatus', file);
    const received: string[] = [];
    await listenAsServer(hf, dyingServer(received));

    const byScript = await hf.script('getRequestStatus', { requests: [{ requestId: requested.json.requestId }] });
    const byClient = await callBy('node-client', hf, 'getRequestStatus', file);
    expect(received).toEqual([expect.stringMatching(/^user-agent: curl\//i), 'node']);
    for (const result of [byScript, byClient]) {
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout.split('\n')).toEqual([expect.any(String), '']);
      expect(result.stdout).toBe(inProcess.stdout);
    }
  });

  it('requestMachines the server took and never answered is not launched again: a clear error, exit 1, the same bytes from curl and from the node client', async () => {
    const hf = new HostFactoryInstance();
    const received: string[] = [];
    await listenAsServer(hf, dyingServer(received));
    const file = inputFile(hf, { template: { templateId: 'OnDemand-Small', machineCount: 1 } });

    const byCurl = await callBy('curl', hf, 'requestMachines', file);
    const byClient = await callBy('node-client', hf, 'requestMachines', file);
    expect(received).toHaveLength(2);
    for (const result of [byCurl, byClient]) {
      expect(result).toMatchObject({ exitCode: 1, stdout: JSON.stringify({ message: LOST_REQUEST_MACHINES, code: 'INTERNAL' }) + '\n', stderr: LOST_REQUEST_MACHINES + '\n' });
      assertSchema('error', result.json);
    }
    expect(await requestsRecorded(hf)).toEqual([]);
  });

  it('a call the server refused before running it (no exit code in the answer) runs in-process, once', async () => {
    const hf = new HostFactoryInstance();
    const refusing = createHttpServer((_request, response) => response.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"no such endpoint"}\n'));
    await listenAsServer(hf, refusing);
    const byScript = await hf.script('requestMachines', { template: { templateId: 'OnDemand-Small', machineCount: 1 } });
    const byClient = await callBy('node-client', hf, 'requestMachines', inputFile(hf, { template: { templateId: 'OnDemand-Small', machineCount: 1 } }));
    for (const result of [byScript, byClient]) {
      expect(result.exitCode, result.stderr).toBe(0);
      assertSchema('requestMachines', result.json);
    }
    expect((await requestsRecorded(hf)).sort()).toEqual([byScript.json.requestId, byClient.json.requestId].sort());
  });

  it('a socket left by a killed server: calls run in-process; the next server replaces it', async () => {
    const hf = new HostFactoryInstance({ config: { LOG_LEVEL: 'debug' } });
    const crashed = await startServe(hf);
    crashed.child.kill('SIGKILL');
    await crashed.exited;
    expect(socketExists(hf)).toBe(true);

    const inProcess = await callBy('in-process', hf, 'getAvailableTemplates', inputFile(hf, {}));
    const byScript = await hf.script('getAvailableTemplates', {});
    const byClient = await callBy('node-client', hf, 'getAvailableTemplates', inputFile(hf, {}));
    expect(byScript).toEqual(inProcess);
    expect(byClient).toEqual(inProcess);

    const next = await startServe(hf);
    expect((await callBy('curl', hf, 'getAvailableTemplates', inputFile(hf, {}))).stdout).toBe(inProcess.stdout);
    expect(operationsRunBy(hf, next.ready.pid)).toEqual(['getAvailableTemplates']);
    expect(hf.logLines().some((line) => line.pid === next.ready.pid && line.msg === 'replacing the socket of a server that is gone')).toBe(true);
    expect(await next.stop()).toBe(0);
  });
});

describe('one server per work dir', () => {
  it('a second server refuses to start, saying why; the first goes on serving', async () => {
    const hf = new HostFactoryInstance();
    const first = await startServe(hf);
    const second = await hf.cli(['serve']);
    expect(second.exitCode).toBe(3);
    expect(second.stderr).toContain(`a hostfactory server already serves this work dir (its socket ${socketOf(hf)} answers)`);
    expect((await callBy('curl', hf, 'getAvailableTemplates', inputFile(hf, {}))).exitCode).toBe(0);
    expect(await first.stop()).toBe(0);
  });

  it('stops on SIGTERM: socket removed, store closed, exit 0; the scripts then run in-process', async () => {
    const hf = new HostFactoryInstance();
    const server = await startServe(hf);
    expect(await server.stop()).toBe(0);
    expect(socketExists(hf)).toBe(false);
    // SQLite removes its write-ahead log when the last connection to the database closes.
    expect(existsSync(join(hf.workDir, 'hostfactory.db-wal'))).toBe(false);
    expect(hf.logLines().filter((line) => line.pid === server.ready.pid).map((line) => line.msg)).toEqual(expect.arrayContaining(['serving', 'stopped']));
    expect((await hf.script('getAvailableTemplates', {})).exitCode).toBe(0);
  });
});
