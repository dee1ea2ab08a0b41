import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { HostFactoryError, isHostFactoryError } from '../../../domain/errors.js';
import { emptyDocument, parseDocument, serializeDocument, type JsonStoreDocument } from './json-store-document.js';
import { withFileLock, type FileLockOptions } from '../../files/with-file-lock.js';
import { removeAbandonedTempFiles, writeFileAtomic } from '../../files/write-file-atomic.js';

export const JSON_STORE_FILE_NAME = 'hostfactory-store.json';

const LOCK: Omit<FileLockOptions, 'onCompromised'> = {
  what: 'the JSON store file',
  /** How long a lock may go without its holder touching it before another process takes it over. */
  staleMs: 5_000,
  updateMs: 1_000,
  // About two minutes of waiting at most: enough for dozens of processes queueing behind each
  // other plus the take-over of a lock left by a killed process.
  retries: { retries: 1_500, factor: 1.2, minTimeout: 5, maxTimeout: 100, randomize: true },
};

/** Calls on the same file within this process queue here rather than polling the lock. */
const inProcessQueues = new Map<string, Promise<unknown>>();

/**
 * The JSON store's one file: lock-free reads (the file is only ever replaced by an atomic
 * rename) and read-modify-write cycles under a cross-process lock.
 */
export class JsonStoreFile {
  readonly file: string;

  constructor(dir: string) {
    this.file = path.resolve(dir, JSON_STORE_FILE_NAME);
  }

  /** Creates the store's directory when it is missing. */
  async prepare(): Promise<void> {
    try {
      await mkdir(path.dirname(this.file), { recursive: true });
    } catch (error) {
      throw new HostFactoryError('CONFIG_INVALID', `Cannot create the JSON store directory ${path.dirname(this.file)}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** The current document; an empty one when the file does not exist yet. */
  async read(): Promise<JsonStoreDocument> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyDocument();
      throw new HostFactoryError('CONFIG_INVALID', `Cannot read the JSON store file ${this.file}: ${(error as Error).message}`, { cause: error });
    }
    return parseDocument(text, this.file);
  }

  /**
   * Runs `change` on the latest document while holding the lock, then writes the document back
   * if `change` modified it. Whatever `change` throws aborts the cycle without writing.
   */
  async mutate<T>(change: (document: JsonStoreDocument) => T): Promise<T> {
    const previous = inProcessQueues.get(this.file) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.mutateLocked(change));
    const settled = run.catch(() => undefined);
    inProcessQueues.set(this.file, settled);
    void settled.then(() => {
      if (inProcessQueues.get(this.file) === settled) inProcessQueues.delete(this.file);
    });
    return run;
  }

  private async mutateLocked<T>(change: (document: JsonStoreDocument) => T): Promise<T> {
    let compromised: Error | undefined;
    const onCompromised = (error: Error) => {
      compromised = error;
    };
    return withFileLock(this.file, { ...LOCK, onCompromised }, async () => {
      try {
        const before = await this.read();
        const original = serializeDocument(before);
        const result = change(before);
        const after = serializeDocument(before);
        if (after !== original) {
          if (compromised) throw this.lostLock(compromised);
          await removeAbandonedTempFiles(this.file);
          await writeFileAtomic(this.file, after);
        }
        return result;
      } catch (error) {
        if (isHostFactoryError(error)) throw error;
        throw new HostFactoryError('INTERNAL', `Cannot write the JSON store file ${this.file}: ${(error as Error).message}`, { cause: error });
      }
    });
  }

  private lostLock(cause: Error): HostFactoryError {
    return new HostFactoryError('STORAGE_CONFLICT', `Lost the lock on the JSON store file ${this.file} before writing; nothing was written`, { cause });
  }
}
