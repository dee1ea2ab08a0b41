import { inject, injectable, optional } from 'inversify';
import { Metrics } from '../../../domain/ports/metrics.js';
import { SERVICE_ENDPOINT_KEYS, type AwsConfig, type AwsService } from '../aws-config.js';
import { AwsSettings } from '../aws-settings.js';
import { countCalls } from './call-metrics.js';

export type Ec2Sdk = typeof import('@aws-sdk/client-ec2');
export type AutoScalingSdk = typeof import('@aws-sdk/client-auto-scaling');
export type SsmSdk = typeof import('@aws-sdk/client-ssm');
export type SqsSdk = typeof import('@aws-sdk/client-sqs');
export type IamSdk = typeof import('@aws-sdk/client-iam');

/** A lazily loaded SDK: its client and its module (for the command classes). */
export interface LoadedSdk<Sdk, Client> {
  sdk: Sdk;
  client: Client;
}

export type Ec2Api = LoadedSdk<Ec2Sdk, InstanceType<Ec2Sdk['EC2Client']>>;
export type AutoScalingApi = LoadedSdk<AutoScalingSdk, InstanceType<AutoScalingSdk['AutoScalingClient']>>;
export type SsmApi = LoadedSdk<SsmSdk, InstanceType<SsmSdk['SSMClient']>>;
export type SqsApi = LoadedSdk<SqsSdk, InstanceType<SqsSdk['SQSClient']>>;
export type IamApi = LoadedSdk<IamSdk, InstanceType<IamSdk['IAMClient']>>;

/**
 * The endpoint of one service: its own key in the config file, else the same variable in the
 * environment (as the AWS SDKs read it), else AWS_ENDPOINT_URL from the config file; none means
 * the SDK's own resolution (AWS_ENDPOINT_URL in the environment, then AWS).
 */
export function endpointOf(config: AwsConfig, service: AwsService, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return config.serviceEndpoints[service] ?? env[SERVICE_ENDPOINT_KEYS[service]] ?? config.endpointUrl;
}

/** The options of one service's client: region, endpoint, adaptive retries, timeouts, proxy, credentials. */
export async function clientOptions(config: AwsConfig, service: AwsService): Promise<Record<string, unknown>> {
  const { NodeHttpHandler } = await import('@smithy/node-http-handler');
  let agent: unknown;
  if (config.proxyHost) {
    const { HttpsProxyAgent } = await import('https-proxy-agent');
    const host = config.proxyHost.includes('://') ? config.proxyHost : `http://${config.proxyHost}`;
    const url = new URL(host);
    if (config.proxyPort !== undefined) url.port = String(config.proxyPort);
    agent = new HttpsProxyAgent(url.toString());
  }
  const options: Record<string, unknown> = {
    region: config.region,
    retryMode: 'adaptive',
    maxAttempts: config.requestRetryAttempts + 1,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: config.connectionTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      throwOnRequestTimeout: true,
      ...(agent ? { httpsAgent: agent as never, httpAgent: agent as never } : {}),
    }),
  };
  const endpoint = endpointOf(config, service);
  if (endpoint) options.endpoint = endpoint;
  if (config.credentialFile) {
    const { fromIni } = await import('@aws-sdk/credential-providers');
    options.credentials = fromIni({ filepath: config.credentialFile, configFilepath: config.credentialFile });
  }
  return options;
}

/**
 * Builds the EC2, Auto Scaling, SSM, SQS and IAM clients on first use, once per process. Each SDK is
 * imported only when a call needs it (`@aws-sdk/client-ec2` alone takes most of a second to load),
 * so a call that sends no AWS request loads none, and an EC2-only poll never loads the others.
 */
@injectable()
export class AwsClients {
  private ec2Api?: Promise<Ec2Api>;
  private autoScalingApi?: Promise<AutoScalingApi>;
  private ssmApi?: Promise<SsmApi>;
  private sqsApi?: Promise<SqsApi>;
  private iamApi?: Promise<IamApi>;
  private readonly loadedNames = new Set<string>();

  constructor(
    @inject(AwsSettings) private readonly settings: AwsSettings,
    @inject(Metrics) @optional() private readonly metrics?: Metrics,
  ) {}

  ec2(): Promise<Ec2Api> {
    this.ec2Api ??= this.build('ec2', async (options) => {
      const sdk = await import('@aws-sdk/client-ec2');
      return { sdk, client: new sdk.EC2Client(options) };
    });
    return this.ec2Api;
  }

  autoScaling(): Promise<AutoScalingApi> {
    this.autoScalingApi ??= this.build('autoscaling', async (options) => {
      const sdk = await import('@aws-sdk/client-auto-scaling');
      return { sdk, client: new sdk.AutoScalingClient(options) };
    });
    return this.autoScalingApi;
  }

  ssm(): Promise<SsmApi> {
    this.ssmApi ??= this.build('ssm', async (options) => {
      const sdk = await import('@aws-sdk/client-ssm');
      return { sdk, client: new sdk.SSMClient(options) };
    });
    return this.ssmApi;
  }

  /**
   * SQS, for the interruption queue. With no endpoint configured, calls go to the queue URL's own
   * host: what the SDK does anyway for a QueueUrl off its resolved endpoint, minus its console warning.
   */
  sqs(): Promise<SqsApi> {
    this.sqsApi ??= this.build('sqs', async (options) => {
      const sdk = await import('@aws-sdk/client-sqs');
      const queueUrl = this.settings.config.interruptionQueueUrl;
      return { sdk, client: new sdk.SQSClient(queueUrl ? { endpoint: new URL(queueUrl).origin, ...options } : options) };
    });
    return this.sqsApi;
  }

  /** IAM, read only by `templates validate --cloud` (instance profiles, fleet roles): a global service, signed for the configured region's partition. */
  iam(): Promise<IamApi> {
    this.iamApi ??= this.build('iam', async (options) => {
      const sdk = await import('@aws-sdk/client-iam');
      return { sdk, client: new sdk.IAMClient(options) };
    });
    return this.iamApi;
  }

  /** Names of the clients built so far (`ec2`, `autoscaling`, `ssm`, `sqs`, `iam`). */
  loaded(): string[] {
    return [...this.loadedNames];
  }

  private build<T extends LoadedSdk<unknown, object>>(name: AwsService, make: (options: Record<string, unknown>) => Promise<T>): Promise<T> {
    this.loadedNames.add(name);
    return clientOptions(this.settings.config, name)
      .then(make)
      .then((api) => {
        if (this.metrics) countCalls(api.client as Parameters<typeof countCalls>[0], name, this.metrics);
        return api;
      });
  }
}
