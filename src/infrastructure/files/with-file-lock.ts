import lockfile, { type LockOptions } from 'proper-lockfile';
import { HostFactoryError } from '../../domain/errors.js';
import type { Logger } from '../../domain/ports/logger.js';

export interface FileLockOptions {
  /** Names what is locked in errors and logs ("the JSON store file"). */
  what: string;
  /** A lock its holder has not touched for this long is taken over: its holder is taken for dead. */
  staleMs: number;
  /** How often the holder touches its lock; half of `staleMs` when absent. */
  updateMs?: number;
  /** How often, and how far apart, to try again while another process holds the lock. */
  retries: LockOptions['retries'];
  /** The lock directory; `<file>.lock` when absent. */
  lockfilePath?: string;
  /** Told when the lock is lost while held (another process took it over as stale). */
  onCompromised?: (error: Error) => void;
  /** Where a lost lock and a failed release are logged; nowhere when absent. */
  logger?: Logger;
}

/**
 * Runs `work` holding a cross-process lock on `file` (a directory beside it, which the file need not
 * exist for). Throws STORAGE_CONFLICT (retryable) when other processes held the lock through every
 * retry, CONFIG_INVALID when the lock cannot be made at all (a directory that cannot be written). A
 * release that fails does not hide the outcome of `work`.
 */
export async function withFileLock<T>(file: string, options: FileLockOptions, work: () => Promise<T>): Promise<T> {
  const { what, logger } = options;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(file, {
      realpath: false,
      stale: options.staleMs,
      update: options.updateMs,
      retries: options.retries,
      lockfilePath: options.lockfilePath,
      onCompromised: (error) => {
        logger?.error({ file, err: error.message }, `${what} lock compromised`);
        options.onCompromised?.(error);
      },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new HostFactoryError('STORAGE_CONFLICT', `${what} ${file} stayed locked by other processes; try again`, { cause: error });
    }
    throw new HostFactoryError('CONFIG_INVALID', `cannot lock ${what} ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return await work();
  } finally {
    await release().catch((error: Error) => logger?.warn({ file, err: error.message }, `${what} unlock failed`));
  }
}
