import { HostFactoryError, isHostFactoryError } from '../../../domain/errors.js';

const SQLITE_CONTENTION = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);
/** serialization_failure, deadlock_detected, lock_not_available */
const POSTGRES_CONTENTION = new Set(['40001', '40P01', '55P03']);
const POSTGRES_UNIQUE_VIOLATION = '23505';

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** The database is busy with another process (SQLITE_BUSY, PostgreSQL serialization failure…). */
export function isContention(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && (SQLITE_CONTENTION.has(code) || POSTGRES_CONTENTION.has(code));
}

/** A primary key or unique index refused the row. */
export function isUniqueViolation(error: unknown): boolean {
  const code = codeOf(error);
  if (code === POSTGRES_UNIQUE_VIOLATION) return true;
  const message = error instanceof Error ? error.message : '';
  return code === 'SQLITE_CONSTRAINT' && /UNIQUE|PRIMARY KEY/.test(message);
}

/**
 * Translates a driver error at the edge of the store: contention becomes a retryable
 * STORAGE_CONFLICT, everything else INTERNAL with the driver error as cause.
 */
export function toStorageError(error: unknown, doing: string): HostFactoryError {
  if (isHostFactoryError(error)) return error;
  const detail = error instanceof Error ? error.message : String(error);
  if (isContention(error)) {
    return new HostFactoryError('STORAGE_CONFLICT', `Store busy while ${doing}; try again (${detail})`, {
      retryable: true,
      cause: error,
    });
  }
  return new HostFactoryError('INTERNAL', `Store failed while ${doing}: ${detail}`, { cause: error });
}

/** Runs one store operation, translating whatever the driver throws. */
export async function translated<T>(doing: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw toStorageError(error, doing);
  }
}
