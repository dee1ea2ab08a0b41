import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAwsConfig } from '../../../../src/providers/aws/aws-config.js';

describe('parseAwsConfig', () => {
  it('reads IBM example config unchanged, with defaults for what it leaves out', () => {
    const raw = JSON.parse(readFileSync('/work/shared/hostfactory/examples/awsprov_config.json', 'utf8')) as Record<string, unknown>;
    expect(parseAwsConfig(raw, 'awsprov_config.json')).toEqual({
      region: 'us-east-1',
      credentialFile: undefined,
      endpointUrl: undefined,
      serviceEndpoints: {},
      proxyHost: undefined,
      proxyPort: undefined,
      connectionTimeoutMs: 10000,
      requestTimeoutMs: 20000,
      requestRetryAttempts: 3,
      instancePendingTimeoutSec: 600,
      describeRequestRetryAttempts: 0,
      describeRequestIntervalMs: 0,
    });
  });

  it('defaults AWS_INSTANCE_PENDING_TIMEOUT_SEC to 180 and accepts numbers written as strings', () => {
    const config = parseAwsConfig(
      { AWS_REGION: 'eu-west-1', AWS_REQUEST_RETRY_ATTEMPTS: '5', AWS_PROXY_HOST: 'proxy.local', AWS_PROXY_PORT: '3128', AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', LOG_LEVEL: 'INFO' },
      'f.json',
    );
    expect(config).toMatchObject({ region: 'eu-west-1', instancePendingTimeoutSec: 180, requestRetryAttempts: 5, proxyPort: 3128, endpointUrl: 'http://127.0.0.1:4566' });
  });

  it('reads AWS_REQUEST_TIMEOUT_MS and one endpoint per service from AWS_ENDPOINT_URL_EC2, _AUTO_SCALING and _SSM', () => {
    const config = parseAwsConfig(
      {
        AWS_REGION: 'us-east-1',
        AWS_REQUEST_TIMEOUT_MS: '45000',
        AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:4566/ec2',
        AWS_ENDPOINT_URL_AUTO_SCALING: 'http://127.0.0.1:4566/as',
        AWS_ENDPOINT_URL_SSM: 'http://127.0.0.1:4566/ssm',
      },
      'f.json',
    );
    expect(config.requestTimeoutMs).toBe(45000);
    expect(config.serviceEndpoints).toEqual({ ec2: 'http://127.0.0.1:4566/ec2', autoscaling: 'http://127.0.0.1:4566/as', ssm: 'http://127.0.0.1:4566/ssm' });
    expect(parseAwsConfig({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_SSM: 'http://127.0.0.1:1' }, 'f.json').serviceEndpoints).toEqual({ ssm: 'http://127.0.0.1:1' });
  });

  it.each([
    [{}, 'AWS_REGION'],
    [{ AWS_REGION: 'us-east-1', AWS_REQUEST_TIMEOUT_MS: 500 }, 'AWS_REQUEST_TIMEOUT_MS'],
    [{ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_EC2: 'not a url' }, 'AWS_ENDPOINT_URL_EC2'],
    [{ AWS_REGION: 'us-east-1', AWS_INSTANCE_PENDING_TIMEOUT_SEC: 60 }, 'AWS_INSTANCE_PENDING_TIMEOUT_SEC'],
    [{ AWS_REGION: 'us-east-1', AWS_INSTANCE_PENDING_TIMEOUT_SEC: 20000 }, 'AWS_INSTANCE_PENDING_TIMEOUT_SEC'],
    [{ AWS_REGION: 'us-east-1', AWS_REQUEST_RETRY_ATTEMPTS: 11 }, 'AWS_REQUEST_RETRY_ATTEMPTS'],
    [{ AWS_REGION: 'us-east-1', AWS_DESCRIBE_REQUEST_RETRY_ATTEMPTS: -1 }, 'AWS_DESCRIBE_REQUEST_RETRY_ATTEMPTS'],
    [{ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'not a url' }, 'AWS_ENDPOINT_URL'],
    [{ AWS_REGION: 'us-east-1', AWS_PROXY_PORT: 8080 }, 'AWS_PROXY_PORT'],
    [{ AWS_REGION: 'us-east-1', AWS_CONNECTION_TIMEOUT_MS: 'soon' }, 'AWS_CONNECTION_TIMEOUT_MS'],
  ])('rejects %j naming the file and %s', (raw, key) => {
    expect(() => parseAwsConfig(raw, '/conf/awsprov_config.json')).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(new RegExp(`^/conf/awsprov_config.json: ${key}`)) }),
    );
  });
});
