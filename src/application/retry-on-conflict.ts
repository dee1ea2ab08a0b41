import { isHostFactoryError } from '../domain/errors.js';

const DEFAULT_ATTEMPTS = 8;

/**
 * Runs a read-modify-write step again when the store reports that another process wrote first.
 * `step` must re-read what it modifies on every attempt.
 */
export async function retryOnConflict<T>(step: () => Promise<T>, attempts = DEFAULT_ATTEMPTS): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      const conflict = isHostFactoryError(error) && error.code === 'STORAGE_CONFLICT';
      if (!conflict || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
