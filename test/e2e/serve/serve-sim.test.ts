import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostFactoryInstance, pollUntilDone, type Operation, type RunResult } from '../../support/hostfactory-harness.js';
import { callBy, inputFile, operationsRunBy, socketOf, startServe, type CallPath, type ServeProcess } from '../../support/serve-harness.js';

const PATHS: CallPath[] = ['in-process', 'curl', 'node-client'];

/** The three outputs of one input, each by one path, at the same state of the provider. */
async function byEveryPath(hf: HostFactoryInstance, operation: Operation, input: unknown): Promise<Record<CallPath, RunResult>> {
  const file = inputFile(hf, input);
  const results = {} as Record<CallPath, RunResult>;
  for (const path of PATHS) results[path] = await callBy(path, hf, operation, file);
  return results;
}

function expectSameBytes(results: Record<CallPath, RunResult>, normalize: (stdout: string) => string = (stdout) => stdout) {
  const [reference, ...others] = PATHS.map((path) => ({ path, ...results[path], stdout: normalize(results[path].stdout) }));
  for (const other of others) {
    expect({ stdout: other.stdout, stderr: other.stderr, exitCode: other.exitCode }, `${other.path} against ${reference.path}`).toEqual({ stdout: reference.stdout, stderr: reference.stderr, exitCode: reference.exitCode });
  }
}

const withoutRequestIds = (stdout: string) => stdout.replace(/"(req|ret)-[0-9a-f-]{36}"/g, '"$1-…"');

describe('hostfactory serve on the simulated cloud', () => {
  let hf: HostFactoryInstance;
  let server: ServeProcess;

  beforeAll(async () => {
    hf = new HostFactoryInstance({ config: { SIM_BOOT_DELAY_SEC: 0, SIM_SHUTDOWN_DELAY_SEC: 0, LOG_LEVEL: 'debug' } });
    server = await startServe(hf, { outlivesTest: true });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('listens on <workdir>/hostfactory.sock, readable and writable by its user only', () => {
    expect(server.ready.socket).toBe(socketOf(hf));
    const stats = statSync(socketOf(hf));
    expect(stats.isSocket()).toBe(true);
    expect(stats.mode & 0o777).toBe(0o600);
  });

  it('answers every operation with the bytes, stderr line and exit code of the in-process call, through curl and through the node client', { timeout: 120_000 }, async () => {
    const before = operationsRunBy(hf, server.ready.pid).length;
    expectSameBytes(await byEveryPath(hf, 'getAvailableTemplates', {}));

    const requested = await byEveryPath(hf, 'requestMachines', { template: { templateId: 'OnDemand-Small', machineCount: 2 } });
    expectSameBytes(requested, withoutRequestIds);
    const requestIds = PATHS.map((path) => requested[path].json.requestId as string);
    for (const requestId of requestIds) expect((await pollUntilDone(hf, requestId)).json.requests[0].status).toBe('complete');

    // The same state for every path from here on: every request complete, its machines running.
    expectSameBytes(await byEveryPath(hf, 'getAvailableTemplates', {}));
    const status = await byEveryPath(hf, 'getRequestStatus', { requests: requestIds.map((requestId) => ({ requestId })) });
    expectSameBytes(status);
    const machines = status['in-process'].json.requests.map((request: any) => request.machines.map((m: any) => ({ name: m.name, machineId: m.machineId })));
    expectSameBytes(await byEveryPath(hf, 'getReturnRequests', { machines: machines.flat() }));

    // Each path gives back the machines of one request.
    const returned = {} as Record<CallPath, RunResult>;
    for (const [index, path] of PATHS.entries()) returned[path] = await callBy(path, hf, 'requestReturnMachines', inputFile(hf, { machines: machines[index] }));
    expectSameBytes(returned, withoutRequestIds);
    expect(returned.curl.json.message).toBe('Delete VM success.');

    // The server ran the calls of curl and of the node client: two of each operation.
    const ran = operationsRunBy(hf, server.ready.pid).slice(before);
    expect(ran.filter((operation) => operation === 'requestMachines')).toHaveLength(2);
    expect(ran.filter((operation) => operation === 'requestReturnMachines')).toHaveLength(2);
    expect(ran.filter((operation) => operation === 'getRequestStatus').length).toBeGreaterThanOrEqual(2);
  });

  it('fails the same way through the server as in-process, for every operation', { timeout: 120_000 }, async () => {
    const failures: Array<[Operation, unknown]> = [
      ['getAvailableTemplates', '{"not json'],
      ['requestMachines', { template: { templateId: 'No-Such-Template', machineCount: 1 } }],
      ['requestMachines', { template: { templateId: 'OnDemand-Small', machineCount: 'two' } }],
      ['getRequestStatus', { requests: [] }],
      ['requestReturnMachines', { machines: [] }],
      ['getReturnRequests', { machines: 'all of them' }],
    ];
    const failedInServer = () => hf.logLines().filter((line) => line.pid === server.ready.pid && line.msg === 'operation failed').length;
    const before = failedInServer();
    for (const [operation, input] of failures) {
      const results = await byEveryPath(hf, operation, input);
      expect(results['in-process'].exitCode, `${operation} ${JSON.stringify(input)}`).toBe(2);
      expect(results['in-process'].stderr).not.toBe('');
      expectSameBytes(results);
    }
    // Each failure came from the server twice: to curl and to the node client.
    expect(failedInServer() - before).toBe(failures.length * 2);
  });

  it('calls served at once keep the guarantees of concurrent scripts: together they never exceed maxNumber', { timeout: 120_000 }, async () => {
    const fresh = new HostFactoryInstance({ config: { SIM_BOOT_DELAY_SEC: 0, LOG_LEVEL: 'debug' } });
    const freshServer = await startServe(fresh);
    // 8 × 4 units against maxNumber 20: at most 5 fit; the refused ones exit 2, as in-process.
    const file = inputFile(fresh, { template: { templateId: 'OnDemand-Small', machineCount: 4 } });
    const results = await Promise.all(Array.from({ length: 8 }, (_, index) => callBy(index % 2 === 0 ? 'curl' : 'node-client', fresh, 'requestMachines', file)));
    const accepted = results.filter((result) => result.exitCode === 0);
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted.length).toBeLessThanOrEqual(5);
    for (const refused of results.filter((result) => result.exitCode !== 0)) {
      expect(refused.exitCode, refused.stdout).toBe(2);
      expect(refused.stderr.trim()).toBe(refused.json.message);
    }
    expect(new Set(accepted.map((result) => result.json.requestId)).size).toBe(accepted.length);
    expect(operationsRunBy(fresh, freshServer.ready.pid)).toEqual(Array(8).fill('requestMachines'));
    expect(await freshServer.stop()).toBe(0);
  });

  it('a file that is not there is reported in-process, as before: the server is not asked', async () => {
    const missing = `${hf.root}/no-such-input.json`;
    const results = {} as Record<CallPath, RunResult>;
    for (const path of ['in-process', 'node-client'] as const) results[path] = await callBy(path, hf, 'getRequestStatus', missing);
    expect(results['node-client']).toEqual(results['in-process']);
    expect(results['in-process'].json.message).toContain('no-such-input.json');
  });
});
