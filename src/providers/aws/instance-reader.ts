import { DescribeInstancesCommand, type EC2Client, type Instance } from '@aws-sdk/client-ec2';
import type { AwsConfig } from './aws-config.js';
import { awsErrorCode, awsErrorMessage, classifyAwsError, isNotFound, translateAwsError } from './aws-error-classifier.js';

export const DESCRIBE_CHUNK = 1000;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let index = 0; index < items.length; index += size) chunks.push(items.slice(index, index + size));
  return chunks;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs a describe call with the describe retry settings (AWS_DESCRIBE_REQUEST_RETRY_ATTEMPTS,
 * AWS_DESCRIBE_REQUEST_INTERVAL) on top of the SDK's own retries: throttling, AWS-side failures and
 * `retryIf` errors (a resource not visible yet) are tried again; the last error is translated.
 */
export async function describeWithRetry<T>(
  config: AwsConfig,
  action: string,
  call: () => Promise<T>,
  retryIf: (error: unknown) => boolean = () => false,
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const kind = classifyAwsError(error);
      const retryable = kind === 'throttled' || kind === 'transient' || retryIf(error);
      if (!retryable || attempt >= config.describeRequestRetryAttempts) throw translateAwsError(error, action);
      if (config.describeRequestIntervalMs > 0) await sleep(config.describeRequestIntervalMs);
    }
  }
}

/**
 * Describes resources by id in chunks of `size`. When a chunk fails because one id no longer
 * exists (EC2 fails the whole call), that chunk is described one id at a time and the unknown
 * ids are left out, so one deleted fleet never blocks the others.
 */
export async function describeTolerant<T>(ids: readonly string[], size: number, describe: (part: string[]) => Promise<T[]>): Promise<T[]> {
  const found: T[] = [];
  for (const part of chunk([...new Set(ids)], size)) {
    try {
      found.push(...(await describe(part)));
    } catch (error) {
      if (!isNotFound((error as { cause?: unknown }).cause ?? error)) throw error;
      for (const id of part) {
        try {
          found.push(...(await describe([id])));
        } catch (single) {
          if (!isNotFound((single as { cause?: unknown }).cause ?? single)) throw single;
        }
      }
    }
  }
  return found;
}

/** Ids named in an `InvalidInstanceID.NotFound` message ("The instance IDs 'i-1, i-2' do not exist"). */
export function missingIdsOf(error: unknown): string[] {
  if (awsErrorCode(error) !== 'InvalidInstanceID.NotFound') return [];
  return awsErrorMessage(error).match(/\bi-[0-9a-z]+/gi) ?? [];
}

export interface InstanceListing {
  instances: Map<string, Instance>;
  /** Ids EC2 does not know (never launched, or terminated long ago). */
  missing: Set<string>;
}

/**
 * DescribeInstances by id in chunks of 1000. Ids EC2 does not know are taken out and reported
 * missing instead of failing the call.
 */
export async function describeInstances(ec2: EC2Client, config: AwsConfig, ids: Iterable<string>): Promise<InstanceListing> {
  const listing: InstanceListing = { instances: new Map(), missing: new Set() };
  for (const part of chunk([...new Set(ids)], DESCRIBE_CHUNK)) {
    let pending = part;
    while (pending.length > 0) {
      try {
        const output = await describeWithRetry(config, 'ec2:DescribeInstances', () =>
          ec2.send(new DescribeInstancesCommand({ InstanceIds: pending })),
        );
        for (const reservation of output.Reservations ?? []) {
          for (const instance of reservation.Instances ?? []) {
            if (instance.InstanceId) listing.instances.set(instance.InstanceId, instance);
          }
        }
        for (const id of pending) if (!listing.instances.has(id)) listing.missing.add(id);
        pending = [];
      } catch (error) {
        const missing = missingIdsOf((error as { cause?: unknown }).cause);
        if (missing.length === 0) throw error;
        for (const id of missing) listing.missing.add(id);
        pending = pending.filter((id) => !listing.missing.has(id));
      }
    }
  }
  return listing;
}
