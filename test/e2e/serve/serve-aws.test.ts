import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertSchema, pollUntilDone, type Operation, type RunResult } from '../../support/hostfactory-harness.js';
import { callBy, inputFile, operationsRunBy, socketExists, startServe, until, type CallPath, type ServeProcess } from '../../support/serve-harness.js';
import { startAwsE2eCloud, type AwsE2eCloud } from '../aws/aws-e2e-cloud.js';

const PATHS: CallPath[] = ['in-process', 'curl', 'node-client'];
const TEMPLATE = 'RunInstances-OnDemand';
const LOST_REQUEST_MACHINES =
  "the hostfactory server of this provider instance received this requestMachines call and ended before answering; it may have been carried out, so it is not run again: see the server's log and `hostfactory requests list`";

const withoutRequestIds = (stdout: string) => stdout.replace(/"(req|ret)-[0-9a-f-]{36}"/g, '"$1-…"');

describe('hostfactory serve with the AWS provider (fake EC2 endpoint)', () => {
  let cloud: AwsE2eCloud;

  beforeAll(async () => {
    // No scheduled sweep: its describe calls would change what getReturnRequests sends between paths.
    cloud = await startAwsE2eCloud({ LOG_LEVEL: 'debug', RECONCILE_INTERVAL_SEC: 0 });
  });
  afterAll(() => cloud.close());

  const describeCalls = () => cloud.server.callsOf('DescribeInstances').length;

  async function byEveryPath(operation: Operation, inputs: unknown[]): Promise<Record<CallPath, RunResult>> {
    const results = {} as Record<CallPath, RunResult>;
    for (const [index, path] of PATHS.entries()) results[path] = await callBy(path, cloud.hf, operation, inputFile(cloud.hf, inputs[index % inputs.length]));
    return results;
  }

  function expectSameBytes(results: Record<CallPath, RunResult>, normalize: (stdout: string) => string = (stdout) => stdout) {
    const reference = results['in-process'];
    expect(reference.exitCode, reference.stdout + reference.stderr).toBe(0);
    for (const path of PATHS) {
      expect({ stdout: normalize(results[path].stdout), stderr: results[path].stderr, exitCode: results[path].exitCode }, path).toEqual({ stdout: normalize(reference.stdout), stderr: reference.stderr, exitCode: reference.exitCode });
    }
  }

  it('answers every operation with the in-process bytes, through curl and through the node client', { timeout: 180_000 }, async () => {
    const server = await startServe(cloud.hf);
    expectSameBytes(await byEveryPath('getAvailableTemplates', [{}]));
    const requested = await byEveryPath('requestMachines', [{ template: { templateId: TEMPLATE, machineCount: 2 } }]);
    expectSameBytes(requested, withoutRequestIds);
    const requestIds = PATHS.map((path) => requested[path].json.requestId as string);
    for (const requestId of requestIds) expect((await pollUntilDone(cloud.hf, requestId)).json.requests[0].status).toBe('complete');

    expectSameBytes(await byEveryPath('getAvailableTemplates', [{}]));
    const status = await byEveryPath('getRequestStatus', [{ requests: requestIds.map((requestId) => ({ requestId })) }]);
    expectSameBytes(status);
    const machines: Array<Array<{ name: string; machineId: string }>> = status['in-process'].json.requests.map((request: any) =>
      request.machines.map((m: any) => ({ name: m.name, machineId: m.machineId })),
    );
    expectSameBytes(await byEveryPath('getReturnRequests', [{ machines: machines.flat() }]));
    const returned = await byEveryPath('requestReturnMachines', machines.map((list) => ({ machines: list })));
    expectSameBytes(returned, withoutRequestIds);
    expect(returned.curl.json.message).toBe('Delete VM success.');

    const ran = operationsRunBy(cloud.hf, server.ready.pid);
    expect(ran.filter((operation) => operation === 'requestMachines')).toHaveLength(2);
    expect(ran.filter((operation) => operation === 'requestReturnMachines')).toHaveLength(2);
    expect(await server.stop()).toBe(0);
  });

  it('a server killed during a status poll: the script polls in-process and answers once, through curl and through the node client', { timeout: 120_000 }, async () => {
    for (const path of ['curl', 'node-client'] as const) {
      const requested = await cloud.hf.script('requestMachines', { template: { templateId: TEMPLATE, machineCount: 1 } });
      const server = await startServe(cloud.hf);
      cloud.server.stallNext('DescribeInstances');
      const before = describeCalls();
      const input = { requests: [{ requestId: requested.json.requestId }] };
      // The script falls back to node this time: the real one.
      const polled = path === 'curl' ? cloud.hf.script('getRequestStatus', input) : callBy(path, cloud.hf, 'getRequestStatus', inputFile(cloud.hf, input));
      await until(() => describeCalls() > before, 'the server to send the stalled DescribeInstances');
      server.child.kill('SIGKILL');
      const result = await polled;
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout.split('\n')).toEqual([expect.any(String), '']);
      assertSchema('getRequestStatus', result.json);
      expect(result.json.requests[0].requestId).toBe(requested.json.requestId);
      expect(operationsRunBy(cloud.hf, server.ready.pid)).toEqual(['getRequestStatus']);
    }
  });

  it('a server killed during requestMachines: the launch is not sent again, the script says so and exits 1', { timeout: 120_000 }, async () => {
    for (const path of ['curl', 'node-client'] as const) {
      const server = await startServe(cloud.hf);
      cloud.server.stallNext('RunInstances');
      const launches = cloud.server.callsOf('RunInstances').length;
      const called = callBy(path, cloud.hf, 'requestMachines', inputFile(cloud.hf, { template: { templateId: TEMPLATE, machineCount: 1 } }));
      await until(() => cloud.server.callsOf('RunInstances').length > launches, 'the server to send the stalled RunInstances');
      server.child.kill('SIGKILL');
      expect(await called).toMatchObject({ exitCode: 1, stdout: JSON.stringify({ message: LOST_REQUEST_MACHINES, code: 'INTERNAL' }) + '\n', stderr: LOST_REQUEST_MACHINES + '\n' });
      expect(cloud.server.callsOf('RunInstances').length).toBe(launches + 1);
    }
  });

  it('on SIGTERM, a call in flight is answered by the server before it exits, and the socket goes first', { timeout: 120_000 }, async () => {
    const requested = await cloud.hf.script('requestMachines', { template: { templateId: TEMPLATE, machineCount: 1 } });
    const server: ServeProcess = await startServe(cloud.hf);
    // The server's DescribeInstances is held until a second one arrives: sent after the socket is gone.
    const gathered = cloud.server.gatherNext('DescribeInstances', 2, 100_000);
    const before = describeCalls();
    const input = { requests: [{ requestId: requested.json.requestId }] };
    const inFlight = callBy('curl', cloud.hf, 'getRequestStatus', inputFile(cloud.hf, input));
    await until(() => describeCalls() > before, 'the server to send its DescribeInstances');
    server.child.kill('SIGTERM');
    await until(() => !socketExists(cloud.hf), 'the server to stop listening');
    const afterStop = await cloud.hf.script('getRequestStatus', input);
    expect(await gathered).toBe(true);

    const answered = await inFlight;
    expect(answered.exitCode, answered.stderr).toBe(0);
    assertSchema('getRequestStatus', answered.json);
    expect(afterStop.exitCode).toBe(0);
    expect(await server.exited).toBe(0);
    expect(operationsRunBy(cloud.hf, server.ready.pid)).toEqual(['getRequestStatus']);
  });
});
