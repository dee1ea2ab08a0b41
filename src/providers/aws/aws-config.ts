import { z } from 'zod';
import { HostFactoryError } from '../../domain/errors.js';

export type AwsService = 'ec2' | 'autoscaling' | 'ssm' | 'sqs' | 'iam' | 'pricing';

/** The per-service endpoint keys, spelled as the AWS SDKs read them from the environment. */
export const SERVICE_ENDPOINT_KEYS: Record<AwsService, string> = {
  ec2: 'AWS_ENDPOINT_URL_EC2',
  autoscaling: 'AWS_ENDPOINT_URL_AUTO_SCALING',
  ssm: 'AWS_ENDPOINT_URL_SSM',
  sqs: 'AWS_ENDPOINT_URL_SQS',
  iam: 'AWS_ENDPOINT_URL_IAM',
  pricing: 'AWS_ENDPOINT_URL_PRICING',
};

/** IBM's `awsprov_config.json` keys this provider honours, parsed and defaulted. */
export interface AwsConfig {
  region: string;
  /** A shared credentials file (`fromIni`); the default credential chain when absent. */
  credentialFile?: string;
  /** Any EC2-compatible endpoint; every SDK client is pointed at it unless its own is set. */
  endpointUrl?: string;
  /** Per-service endpoints (`AWS_ENDPOINT_URL_EC2`, `_AUTO_SCALING`, `_SSM`, `_SQS`, `_IAM`, `_PRICING`), beside endpointUrl. */
  serviceEndpoints: Partial<Record<AwsService, string>>;
  proxyHost?: string;
  proxyPort?: number;
  connectionTimeoutMs: number;
  /** A call whose connection stays silent this long fails (and is retried), so a stalled connection never hangs a script. */
  requestTimeoutMs: number;
  /** Retries of a throttled or failed call (the SDK makes this + 1 attempts, adaptive mode). */
  requestRetryAttempts: number;
  /** Instances pending longer than this are terminated and reported failed. */
  instancePendingTimeoutSec: number;
  /** Extra attempts of a describe call that failed with a retryable or not-yet-visible error. */
  describeRequestRetryAttempts: number;
  /** Milliseconds between describe attempts. */
  describeRequestIntervalMs: number;
  /** An SQS queue EventBridge feeds with interruption events (docs/aws.md); none: polling only. */
  interruptionQueueUrl?: string;
  /** Seconds of grace a rebalance recommendation is reported with; undefined: not reported. */
  rebalanceGraceSec?: number;
}

const numeric = (schema: z.ZodNumber) =>
  z.preprocess((value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value), schema);

const text = z.string().trim().min(1);

/** The `AWS_*` keys of a provider config file as written there, with CONTRACT.md's defaults and ranges. */
export const awsConfigSchema = z.object({
  AWS_REGION: text,
  AWS_CREDENTIAL_FILE: text.optional(),
  AWS_ENDPOINT_URL: z.url().optional(),
  AWS_ENDPOINT_URL_EC2: z.url().optional(),
  AWS_ENDPOINT_URL_AUTO_SCALING: z.url().optional(),
  AWS_ENDPOINT_URL_SSM: z.url().optional(),
  AWS_ENDPOINT_URL_SQS: z.url().optional(),
  AWS_ENDPOINT_URL_IAM: z.url().optional(),
  AWS_ENDPOINT_URL_PRICING: z.url().optional(),
  /** IBM's key, accepted and not used: instances get the template's keyName (docs/aws.md). */
  AWS_KEY_FILE: text.optional(),
  AWS_PROXY_HOST: text.optional(),
  AWS_PROXY_PORT: numeric(z.number().int().min(1).max(65535)).optional(),
  AWS_CONNECTION_TIMEOUT_MS: numeric(z.number().int().min(0)).default(10000),
  AWS_REQUEST_TIMEOUT_MS: numeric(z.number().int().min(1000).max(600000)).default(20000),
  AWS_REQUEST_RETRY_ATTEMPTS: numeric(z.number().int().min(0).max(10)).default(3),
  AWS_INSTANCE_PENDING_TIMEOUT_SEC: numeric(z.number().int().min(180).max(10000)).default(180),
  AWS_DESCRIBE_REQUEST_RETRY_ATTEMPTS: numeric(z.number().int().min(0).max(10)).default(0),
  AWS_DESCRIBE_REQUEST_INTERVAL: numeric(z.number().int().min(0).max(600000)).default(0),
  AWS_INTERRUPTION_QUEUE_URL: z.url().optional(),
  AWS_REBALANCE_GRACE_SEC: numeric(z.number().int().min(0).max(86400)).optional(),
});

/**
 * The AWS keys of an IBM `awsprov_config.json` as AwsConfig (other keys, such as log settings, are
 * left to their owners): the aws plugin's config schema.
 */
export const awsFileSchema = awsConfigSchema
  .superRefine((value, context) => {
    if (value.AWS_PROXY_PORT !== undefined && value.AWS_PROXY_HOST === undefined) {
      context.addIssue({ code: 'custom', path: ['AWS_PROXY_PORT'], message: 'set AWS_PROXY_HOST as well' });
    }
  })
  .transform(
    (value): AwsConfig => ({
      region: value.AWS_REGION,
      credentialFile: value.AWS_CREDENTIAL_FILE,
      endpointUrl: value.AWS_ENDPOINT_URL,
      serviceEndpoints: Object.fromEntries(
        (Object.entries(SERVICE_ENDPOINT_KEYS) as Array<[AwsService, keyof typeof value]>).flatMap(([service, key]) => (value[key] ? [[service, value[key] as string]] : [])),
      ),
      proxyHost: value.AWS_PROXY_HOST,
      proxyPort: value.AWS_PROXY_PORT,
      connectionTimeoutMs: value.AWS_CONNECTION_TIMEOUT_MS,
      requestTimeoutMs: value.AWS_REQUEST_TIMEOUT_MS,
      requestRetryAttempts: value.AWS_REQUEST_RETRY_ATTEMPTS,
      instancePendingTimeoutSec: value.AWS_INSTANCE_PENDING_TIMEOUT_SEC,
      describeRequestRetryAttempts: value.AWS_DESCRIBE_REQUEST_RETRY_ATTEMPTS,
      describeRequestIntervalMs: value.AWS_DESCRIBE_REQUEST_INTERVAL,
      interruptionQueueUrl: value.AWS_INTERRUPTION_QUEUE_URL,
      rebalanceGraceSec: value.AWS_REBALANCE_GRACE_SEC,
    }),
  );

/** Reads the AWS keys of `raw`. Throws CONFIG_INVALID naming `file` and the key when a value is missing or out of range. */
export function parseAwsConfig(raw: Record<string, unknown>, file: string): AwsConfig {
  const parsed = awsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue.path.map(String).join('.') || '(root)';
    throw new HostFactoryError('CONFIG_INVALID', `${file}: ${key}: ${issue.message}`, { cause: parsed.error });
  }
  return parsed.data;
}
