import { describe, expect, it } from 'vitest';
import { AwsClients, clientOptions, endpointOf } from '../../../../src/providers/aws/ec2/aws-clients.js';
import { parseAwsConfig } from '../../../../src/providers/aws/aws-config.js';

const clientsFor = (raw: Record<string, unknown>) => new AwsClients({ config: parseAwsConfig({ AWS_REGION: 'eu-central-1', ...raw }, 'c.json'), providerName: 'awsinst', workDir: '/nonexistent' });

describe('AwsClients', () => {
  it('points the EC2 client at AWS_ENDPOINT_URL with adaptive retries from AWS_REQUEST_RETRY_ATTEMPTS', async () => {
    const clients = clientsFor({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9999/ec2', AWS_REQUEST_RETRY_ATTEMPTS: 4 });
    const { client: ec2 } = await clients.ec2();
    const endpoint = await ec2.config.endpoint!();
    expect(`${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}${endpoint.path}`).toBe('http://127.0.0.1:9999/ec2');
    expect(await ec2.config.region()).toBe('eu-central-1');
    expect(await ec2.config.maxAttempts()).toBe(5);
    const strategy = (await ec2.config.retryStrategy()) as { mode?: string };
    expect(strategy.mode).toBe('adaptive');
  });

  it('builds the Auto Scaling and SSM clients only when asked, against the same endpoint', async () => {
    const clients = clientsFor({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9999' });
    await clients.ec2();
    expect(clients.loaded()).toEqual(['ec2']);
    const { client } = await clients.autoScaling();
    expect((await client.config.endpoint!()).hostname).toBe('127.0.0.1');
    await clients.ssm();
    expect(clients.loaded()).toEqual(['ec2', 'autoscaling', 'ssm']);
  });

  it('sends SQS calls to the queue URL\'s host unless an SQS endpoint is configured', async () => {
    const queue = 'http://127.0.0.1:9444/123456789012/hostfactory-interruptions';
    const byQueue = (await clientsFor({ AWS_INTERRUPTION_QUEUE_URL: queue }).sqs()).client;
    expect((await byQueue.config.endpoint!()).port).toBe(9444);
    const configured = (await clientsFor({ AWS_INTERRUPTION_QUEUE_URL: queue, AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9555' }).sqs()).client;
    expect((await configured.config.endpoint!()).port).toBe(9555);
  });

  it('builds each client once per process', async () => {
    const clients = clientsFor({});
    expect(await clients.ec2()).toBe(await clients.ec2());
  });

  it('builds one client per service and region on first use, ec2() meaning AWS_REGION, each with the configured endpoint', async () => {
    const clients = clientsFor({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9999' });
    const home = await clients.ec2();
    expect(await clients.ec2('eu-central-1')).toBe(home);
    const other = await clients.ec2('ap-southeast-2');
    expect(other).not.toBe(home);
    expect(await clients.ec2('ap-southeast-2')).toBe(other);
    expect(await other.client.config.region()).toBe('ap-southeast-2');
    expect((await other.client.config.endpoint!()).port).toBe(9999);
    const ssm = await clients.inRegion('ap-southeast-2').ssm();
    expect(await ssm.client.config.region()).toBe('ap-southeast-2');
    expect(clients.loaded()).toEqual(['ec2', 'ssm']);
  });

  it('reads credentials from AWS_CREDENTIAL_FILE', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { rmSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'aws-cred-'));
    const file = join(dir, 'credentials');
    writeFileSync(file, '[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n');
    try {
      const { client: ec2 } = await clientsFor({ AWS_CREDENTIAL_FILE: file }).ec2();
      const credentials = await ec2.config.credentials();
      expect(credentials.accessKeyId).toBe('AKIDEXAMPLE');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sends every call through AWS_PROXY_HOST:AWS_PROXY_PORT with AWS_CONNECTION_TIMEOUT_MS', async () => {
    const options = await clientOptions(
      parseAwsConfig({ AWS_REGION: 'us-east-1', AWS_PROXY_HOST: 'proxy.local', AWS_PROXY_PORT: 3128, AWS_CONNECTION_TIMEOUT_MS: 2500 }, 'c.json'),
      'ec2',
    );
    const handler = options.requestHandler as { configProvider: Promise<{ connectionTimeout: number; requestTimeout: number; httpsAgent?: { proxy?: URL } }> };
    const config = await handler.configProvider;
    expect(config.connectionTimeout).toBe(2500);
    expect(config.requestTimeout).toBe(20000);
    expect(String(config.httpsAgent?.proxy)).toBe('http://proxy.local:3128/');
  });

  it('gives each service its own endpoint: its config key, else its environment variable, else AWS_ENDPOINT_URL', () => {
    const config = parseAwsConfig({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:1/all', AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:2/ec2' }, 'c.json');
    const env = { AWS_ENDPOINT_URL_AUTO_SCALING: 'http://127.0.0.1:3/as', AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:4/ignored' };
    expect(endpointOf(config, 'ec2', env)).toBe('http://127.0.0.1:2/ec2');
    expect(endpointOf(config, 'autoscaling', env)).toBe('http://127.0.0.1:3/as');
    expect(endpointOf(config, 'ssm', env)).toBe('http://127.0.0.1:1/all');
    expect(endpointOf(parseAwsConfig({ AWS_REGION: 'us-east-1' }, 'c.json'), 'ssm', {})).toBeUndefined();
  });

  it('bounds every call with AWS_REQUEST_TIMEOUT_MS', async () => {
    const options = await clientOptions(parseAwsConfig({ AWS_REGION: 'us-east-1', AWS_REQUEST_TIMEOUT_MS: 4000 }, 'c.json'), 'ssm');
    const config = await (options.requestHandler as { configProvider: Promise<{ requestTimeout: number; throwOnRequestTimeout: boolean }> }).configProvider;
    expect(config.requestTimeout).toBe(4000);
    expect(config.throwOnRequestTimeout, 'without it the SDK only logs a warning and keeps waiting').toBe(true);
  });
});
