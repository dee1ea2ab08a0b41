import lockfile from 'proper-lockfile';
import { HostFactoryError } from '../../domain/errors.js';
import type { Logger } from '../../domain/ports/logger.js';

const LOCK_OPTIONS = {
  realpath: false,
  stale: 10_000,
  retries: { retries: 200, factor: 1.2, minTimeout: 5, maxTimeout: 100, randomize: true },
};

/**
 * Runs `work` holding a cross-process lock on `file` (a `<file>.lock` dir beside it, which the
 * file need not exist for). Throws STORAGE_CONFLICT (retryable) if the lock cannot be taken.
 */
export async function withFileLock<T>(file: string, logger: Logger, work: () => Promise<T>): Promise<T> {
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(file, {
      ...LOCK_OPTIONS,
      onCompromised: (error) => logger.error({ file, error: error.message }, 'template file lock compromised'),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOCKED') {
      throw new HostFactoryError('STORAGE_CONFLICT', `${file} is locked by another writer`, { cause: error });
    }
    throw new HostFactoryError('CONFIG_INVALID', `cannot lock ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return await work();
  } finally {
    await release().catch((error: Error) => logger.warn({ file, error: error.message }, 'template file unlock failed'));
  }
}
