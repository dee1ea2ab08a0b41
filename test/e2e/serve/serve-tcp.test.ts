import { describe, expect, it } from 'vitest';
import { HostFactoryInstance } from '../../support/hostfactory-harness.js';
import { callBy, inputFile, startServe } from '../../support/serve-harness.js';

const TOKEN = 'a-serve-token-of-some-length-0123456789';

async function post(url: string, operation: string, body: string, token?: string): Promise<{ status: number; text: string; exitCode: string | null }> {
  const response = await fetch(`${url}/v1/${operation}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
  });
  return { status: response.status, text: await response.text(), exitCode: response.headers.get('x-hostfactory-exit-code') };
}

describe('hostfactory serve --listen', () => {
  it('refuses an address beyond loopback when the config holds no SERVE_TOKEN, saying what to set', async () => {
    const hf = new HostFactoryInstance();
    const refused = await hf.cli(['serve', '--listen', '0.0.0.0:0']);
    expect(refused.exitCode).toBe(3);
    expect(refused.stderr).toMatch(/^error \(CONFIG_INVALID\): --listen 0\.0\.0\.0:0 is not a loopback address: set SERVE_TOKEN in \S+simprov_config\.json/);
  });

  it('refuses a SERVE_TOKEN shorter than 16 characters', async () => {
    const hf = new HostFactoryInstance({ config: { SERVE_TOKEN: 'short' } });
    const refused = await hf.cli(['serve', '--listen', '0.0.0.0:0']);
    expect(refused.exitCode).toBe(3);
    expect(refused.stderr).toContain('SERVE_TOKEN: at least 16 characters');
  });

  it('on loopback with no token configured, answers what the script prints', async () => {
    const hf = new HostFactoryInstance();
    const server = await startServe(hf, { args: ['--listen', '127.0.0.1:0'] });
    expect(server.ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const inProcess = await callBy('in-process', hf, 'getAvailableTemplates', inputFile(hf, {}));
    expect(await post(server.ready.url!, 'getAvailableTemplates', '{}')).toEqual({ status: 200, text: inProcess.stdout, exitCode: '0' });
    expect(await server.stop()).toBe(0);
  });

  it('beyond loopback with SERVE_TOKEN set: 401 without the token or with a wrong one, the script\'s answer with it; the unix socket asks for none', async () => {
    const hf = new HostFactoryInstance({ config: { SERVE_TOKEN: TOKEN } });
    const server = await startServe(hf, { args: ['--listen', '0.0.0.0:0'] });
    const url = server.ready.url!.replace('0.0.0.0', '127.0.0.1');
    const input = { template: { templateId: 'No-Such-Template', machineCount: 1 } };
    const inProcess = await callBy('in-process', hf, 'requestMachines', inputFile(hf, input));

    for (const token of [undefined, 'wrong-token-of-the-right-length-0123456789', `${TOKEN}x`]) {
      const refused = await post(url, 'requestMachines', JSON.stringify(input), token);
      expect(refused.status).toBe(401);
      expect(refused.exitCode).toBeNull();
      expect(JSON.parse(refused.text)).toEqual({ message: 'missing or wrong bearer token (SERVE_TOKEN of the provider config)', code: 'ACCESS_DENIED' });
    }
    expect((await fetch(`${url}/openapi.json`)).status).toBe(401);

    const accepted = await post(url, 'requestMachines', JSON.stringify(input), TOKEN);
    expect(accepted).toEqual({ status: 404, text: inProcess.stdout, exitCode: '2' });
    expect(await callBy('curl', hf, 'requestMachines', inputFile(hf, input))).toMatchObject({ exitCode: 2, stdout: inProcess.stdout, stderr: inProcess.stderr });
    expect(await server.stop()).toBe(0);

    const shown = await hf.cli(['config', 'show', '--json']);
    expect(shown.json.config.SERVE_TOKEN).toBe('(set)');
    expect(shown.stdout).not.toContain(TOKEN);
  });

  it('with SERVE_TOKEN set, loopback TCP asks for it too', async () => {
    const hf = new HostFactoryInstance({ config: { SERVE_TOKEN: TOKEN } });
    const server = await startServe(hf, { args: ['--listen', '[::1]:0'] });
    expect(server.ready.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
    expect((await post(server.ready.url!, 'getAvailableTemplates', '{}')).status).toBe(401);
    expect((await post(server.ready.url!, 'getAvailableTemplates', '{}', TOKEN)).exitCode).toBe('0');
    expect(await server.stop()).toBe(0);
  });
});
