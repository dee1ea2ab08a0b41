import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SweepSchedule } from '../../domain/ports/sweep-schedule.js';
import { writeFileAtomic } from '../files/write-file-atomic.js';

/** The last sweep's time in a small file of the provider's work dir (`reconcile-last-run`). */
export class FileSweepSchedule implements SweepSchedule {
  constructor(private readonly file: string) {}

  async lastRun(): Promise<number | undefined> {
    try {
      const value = Number((await readFile(this.file, 'utf8')).trim());
      return Number.isFinite(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  async record(at: number): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    await writeFileAtomic(this.file, `${at}\n`);
  }
}
