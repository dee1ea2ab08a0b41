import { inject, injectable, optional } from 'inversify';
import { Metrics } from '../../../domain/ports/metrics.js';
import { SERVICE_ENDPOINT_KEYS, type AwsConfig, type AwsService } from '../aws-config.js';
import { AwsSettings } from '../aws-settings.js';
import { countCalls } from './call-metrics.js';
import { loadCommonJs } from '../../../shared/load-commonjs.js';

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
  const { NodeHttpHandler } = loadCommonJs<typeof import('@smithy/node-http-handler')>('@smithy/node-http-handler');
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
    const { fromIni } = loadCommonJs<typeof import('@aws-sdk/credential-providers')>('@aws-sdk/credential-providers');
    options.credentials = fromIni({ filepath: config.credentialFile, configFilepath: config.credentialFile });
  }
  return options;
}

/** The clients of one region, as every gateway takes them (IAM and SQS have one region whatever it is). */
export interface RegionalClients {
  ec2(): Promise<Ec2Api>;
  autoScaling(): Promise<AutoScalingApi>;
  ssm(): Promise<SsmApi>;
  sqs(): Promise<SqsApi>;
  iam(): Promise<IamApi>;
}

/**
 * Builds the EC2, Auto Scaling, SSM, SQS and IAM clients on first use, once per process and region
 * (a template may name its region; no region means AWS_REGION). Each SDK is loaded (with require:
 * see loadCommonJs) only when a call needs it (`@aws-sdk/client-ec2` alone costs most of the
 * start-up of a call that uses it), so a call that sends
 * no AWS request loads none, and an EC2-only poll never loads the others. Endpoints, retries,
 * timeouts, proxy, credentials and call metrics are the same in every region.
 */
@injectable()
export class AwsClients {
  private readonly apis = new Map<string, Promise<LoadedSdk<unknown, object>>>();
  private readonly loadedNames = new Set<string>();

  constructor(
    @inject(AwsSettings) private readonly settings: AwsSettings,
    @inject(Metrics) @optional() private readonly metrics?: Metrics,
  ) {}

  ec2(region?: string): Promise<Ec2Api> {
    return this.build('ec2', region, async (options) => {
      const sdk = loadCommonJs<Ec2Sdk>('@aws-sdk/client-ec2');
      return { sdk, client: new sdk.EC2Client(options) };
    });
  }

  autoScaling(region?: string): Promise<AutoScalingApi> {
    return this.build('autoscaling', region, async (options) => {
      const sdk = loadCommonJs<AutoScalingSdk>('@aws-sdk/client-auto-scaling');
      return { sdk, client: new sdk.AutoScalingClient(options) };
    });
  }

  /** SSM, for AMI ids in public parameters: regional, as the AMIs are. */
  ssm(region?: string): Promise<SsmApi> {
    return this.build('ssm', region, async (options) => {
      const sdk = loadCommonJs<SsmSdk>('@aws-sdk/client-ssm');
      return { sdk, client: new sdk.SSMClient(options) };
    });
  }

  /**
   * SQS, for the interruption queue, in AWS_REGION. With no endpoint configured, calls go to the
   * queue URL's own host: what the SDK does anyway for a QueueUrl off its resolved endpoint, minus
   * its console warning.
   */
  sqs(): Promise<SqsApi> {
    return this.build('sqs', undefined, async (options) => {
      const sdk = loadCommonJs<SqsSdk>('@aws-sdk/client-sqs');
      const queueUrl = this.settings.config.interruptionQueueUrl;
      return { sdk, client: new sdk.SQSClient(queueUrl ? { endpoint: new URL(queueUrl).origin, ...options } : options) };
    });
  }

  /** IAM, read only by `templates validate --cloud` (instance profiles, fleet roles): a global service, signed for AWS_REGION's partition. */
  iam(): Promise<IamApi> {
    return this.build('iam', undefined, async (options) => {
      const sdk = loadCommonJs<IamSdk>('@aws-sdk/client-iam');
      return { sdk, client: new sdk.IAMClient(options) };
    });
  }

  /** The clients of `region` (AWS_REGION when undefined). */
  inRegion(region?: string): RegionalClients {
    return {
      ec2: () => this.ec2(region),
      autoScaling: () => this.autoScaling(region),
      ssm: () => this.ssm(region),
      sqs: () => this.sqs(),
      iam: () => this.iam(),
    };
  }

  /** Names of the services whose clients were built so far (`ec2`, `autoscaling`, `ssm`, `sqs`, `iam`), whatever the region. */
  loaded(): string[] {
    return [...this.loadedNames];
  }

  private build<T extends LoadedSdk<unknown, object>>(name: AwsService, region: string | undefined, make: (options: Record<string, unknown>) => Promise<T>): Promise<T> {
    const config = region ? { ...this.settings.config, region } : this.settings.config;
    const key = `${name} ${config.region}`;
    let api = this.apis.get(key);
    if (!api) {
      this.loadedNames.add(name);
      api = clientOptions(config, name)
        .then(make)
        .then((made) => {
          if (this.metrics) countCalls(made.client as Parameters<typeof countCalls>[0], name, this.metrics);
          return made;
        });
      this.apis.set(key, api);
    }
    return api as Promise<T>;
  }
}
