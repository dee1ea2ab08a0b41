import { Ajv2020 } from 'ajv/dist/2020.js';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertSchema, HostFactoryInstance, pollUntilDone, type Operation } from '../../support/hostfactory-harness.js';
import { startServe, type ServeProcess } from '../../support/serve-harness.js';

/** One call over the unix socket, as curl --unix-socket would make it. */
function call(socketPath: string, method: string, path: string, body?: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const sent = request({ socketPath, method, path }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, json: JSON.parse(text) }));
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

const pointer = (...parts: string[]) => parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

describe('the OpenAPI document of hostfactory serve', () => {
  let hf: HostFactoryInstance;
  let server: ServeProcess;
  let ajv: Ajv2020;
  const schemaAt = (...parts: string[]) => {
    const validate = ajv.getSchema(`openapi#/${pointer(...parts)}`);
    if (!validate) throw new Error(`no schema at ${parts.join(' ')}`);
    return (value: unknown) => (validate(value) ? 'valid' : ajv.errorsText(validate.errors));
  };
  const responseSchema = (path: string, method: string, status: number) => schemaAt('paths', path, method, 'responses', String(status), 'content', 'application/json', 'schema');
  const inputSchema = (operation: Operation) => schemaAt('paths', `/v1/${operation}`, 'post', 'requestBody', 'content', 'application/json', 'schema');

  beforeAll(async () => {
    hf = new HostFactoryInstance({ config: { SIM_BOOT_DELAY_SEC: 0, SIM_SHUTDOWN_DELAY_SEC: 0 } });
    server = await startServe(hf, { outlivesTest: true });
    const document = await call(server.ready.socket, 'GET', '/openapi.json');
    expect(document.status).toBe(200);
    ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema(document.json, 'openapi');
  });
  afterAll(async () => {
    await server.stop();
  });

  it('describes what every operation really answers, as the contract\'s schemas do', { timeout: 120_000 }, async () => {
    const answers: Array<[Operation, unknown]> = [];
    const run = async (operation: Operation, input: unknown) => {
      const result = await hf.script(operation, input);
      expect(result.exitCode, result.stdout).toBe(0);
      assertSchema(operation, result.json);
      answers.push([operation, result.json]);
      return result.json;
    };
    await run('getAvailableTemplates', {});
    const { requestId } = await run('requestMachines', { template: { templateId: 'Spot-Compute', machineCount: 2 } });
    await pollUntilDone(hf, requestId);
    const status = await run('getRequestStatus', { requests: [{ requestId }] });
    const machines = status.requests[0].machines.map((m: any) => ({ name: m.name, machineId: m.machineId }));
    await hf.cli(['sim', 'interrupt', machines[0].machineId]);
    expect((await run('getReturnRequests', { machines })).requests).toHaveLength(1);
    const returned = await run('requestReturnMachines', { machines });
    await run('getRequestStatus', { requests: [{ requestId: returned.requestId }] });
    await run('getAvailableTemplates', {});

    for (const [operation, answer] of answers) expect(responseSchema(`/v1/${operation}`, 'post', 200)(answer), operation).toBe('valid');
    const broken = { requests: [{ ...status.requests[0], machines: [{ ...status.requests[0].machines[0], result: 'fail', message: '' }] }] };
    expect(responseSchema('/v1/getRequestStatus', 'post', 200)(broken)).toContain('must NOT have fewer than 1 characters');
    const failed = await hf.script('requestMachines', { template: { templateId: 'No-Such-Template', machineCount: 1 } });
    expect(responseSchema('/v1/requestMachines', 'post', 404)(failed.json)).toBe('valid');
  });

  it('accepts the inputs HostFactory sends and refuses what the scripts refuse', () => {
    expect(inputSchema('getAvailableTemplates')({})).toBe('valid');
    expect(inputSchema('requestMachines')({ template: { templateId: 'OnDemand-Small', machineCount: 3 } })).toBe('valid');
    expect(inputSchema('requestMachines')({ template: { templateId: 'OnDemand-Small', machineCount: '3' } })).toBe('valid');
    expect(inputSchema('requestMachines')({ template: { templateId: 'OnDemand-Small', machineCount: 'three' } })).not.toBe('valid');
    expect(inputSchema('getRequestStatus')({ requests: [{ requestId: 'req-1' }] })).toBe('valid');
    expect(inputSchema('getRequestStatus')({ requests: { requestId: 'req-1' } })).toBe('valid');
    expect(inputSchema('getRequestStatus')({ requests: [] })).not.toBe('valid');
    expect(inputSchema('requestReturnMachines')({ machines: [{ name: 'ip-10-0-0-4.ec2.internal', machineId: 'i-0123' }] })).toBe('valid');
    expect(inputSchema('requestReturnMachines')({ machines: [{}] })).not.toBe('valid');
    expect(inputSchema('getReturnRequests')({ machines: [] })).toBe('valid');
    expect(inputSchema('getReturnRequests')({})).toBe('valid');
  });

  it('describes what the read endpoints answer', async () => {
    const requestId = (await hf.script('requestMachines', { template: { templateId: 'OnDemand-Small', machineCount: 1 } })).json.requestId;
    await pollUntilDone(hf, requestId);
    const reads: Array<[string, string]> = [
      ['/v1/templates', '/v1/templates'],
      ['/v1/templates/{templateId}', '/v1/templates/OnDemand-Small'],
      ['/v1/requests', '/v1/requests?kind=acquire&limit=5'],
      ['/v1/requests/{requestId}', `/v1/requests/${requestId}`],
      ['/v1/machines', '/v1/machines'],
    ];
    for (const [documented, path] of reads) {
      const answer = await call(server.ready.socket, 'GET', path);
      expect(answer.status, path).toBe(200);
      expect(responseSchema(documented, 'get', 200)(answer.json), path).toBe('valid');
    }
    expect((await call(server.ready.socket, 'GET', '/v1/machines')).json.machines.map((m: any) => m.requestId)).toContain(requestId);
    expect(await call(server.ready.socket, 'GET', '/v1/templates/No-Such-Template')).toEqual({ status: 404, json: { message: 'template "No-Such-Template" not found', code: 'TEMPLATE_NOT_FOUND' } });
    expect((await call(server.ready.socket, 'GET', '/v1/requests?limit=none')).status).toBe(400);
    expect((await call(server.ready.socket, 'GET', '/v1/requestMachines')).status).toBe(405);
    expect((await call(server.ready.socket, 'GET', '/v2/anything')).status).toBe(404);
  });
});
