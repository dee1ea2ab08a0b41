import { chunk } from '../../../shared/chunk.js';
import type { AwsConfig } from '../aws-config.js';
import { AwsCallError, isNotFound, isRetryable } from './aws-errors.js';

/** The largest id list EC2's describe and terminate calls take. */
export const EC2_BATCH = 1000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sends one AWS call; what it throws comes back as an AwsCallError naming the action. */
export async function send<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw error instanceof AwsCallError ? error : new AwsCallError(action, error);
  }
}

/**
 * A describe call with the describe retry settings (AWS_DESCRIBE_REQUEST_RETRY_ATTEMPTS,
 * AWS_DESCRIBE_REQUEST_INTERVAL) on top of the SDK's own retries: throttling, AWS-side failures and
 * `retryIf` errors (a resource not visible yet) are tried again.
 */
export async function describe<T>(config: AwsConfig, action: string, call: () => Promise<T>, retryIf: (error: unknown) => boolean = () => false): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await send(action, call);
    } catch (error) {
      if (!(isRetryable(error) || retryIf(error)) || attempt >= config.describeRequestRetryAttempts) throw error;
      if (config.describeRequestIntervalMs > 0) await sleep(config.describeRequestIntervalMs);
    }
  }
}

/** Every page of a paged call, following NextToken. */
export async function allPages<Page extends { NextToken?: string }>(fetchPage: (nextToken: string | undefined) => Promise<Page>): Promise<Page[]> {
  const pages: Page[] = [];
  let nextToken: string | undefined;
  do {
    const page = await fetchPage(nextToken);
    pages.push(page);
    nextToken = page.NextToken;
  } while (nextToken);
  return pages;
}

/**
 * Describes resources by id in chunks of `size`. When a chunk fails because one id is not known
 * (EC2 fails the whole call; `missing` tells such an error, by default isNotFound), that chunk is
 * described one id at a time and the unknown ids are left out, so one deleted (or not yet visible)
 * fleet never blocks the others.
 */
export async function describeKnown<T>(
  ids: readonly string[],
  size: number,
  describeIds: (part: string[]) => Promise<T[]>,
  missing: (error: unknown) => boolean = isNotFound,
): Promise<T[]> {
  const found: T[] = [];
  for (const part of chunk([...new Set(ids)], size)) {
    try {
      found.push(...(await describeIds(part)));
    } catch (error) {
      if (!missing(error)) throw error;
      for (const id of part) {
        try {
          found.push(...(await describeIds([id])));
        } catch (single) {
          if (!missing(single)) throw single;
        }
      }
    }
  }
  return found;
}
