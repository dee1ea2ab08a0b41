import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../../src/domain/ports/logger.js';
import { FileTemplateRepository } from '../../../src/infrastructure/templates/file-template-repository.js';

/** A logger that remembers what it was told, to check that problems reach the log. */
export class RecordingLogger implements Logger {
  readonly lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  debug(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'debug', fields, message });
  }
  info(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'info', fields, message });
  }
  warn(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'warn', fields, message });
  }
  error(fields: Record<string, unknown>, message: string): void {
    this.lines.push({ level: 'error', fields, message });
  }
}

export function template(templateId: string, more: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    templateId,
    maxNumber: 10,
    attributes: { type: ['String', 'X86_64'], ncpus: ['Numeric', '2'], nram: ['Numeric', '8192'] },
    vmType: 'm5.large',
    ...more,
  };
}

export function templatesJson(...templates: unknown[]): string {
  return JSON.stringify({ templates }, null, 2);
}

export interface ConfDir {
  dir: string;
  logger: RecordingLogger;
  repository: FileTemplateRepository;
  /** Another repository on the same dir, as a second process would have. */
  another(): FileTemplateRepository;
  write(name: string, text: string): Promise<string>;
  cleanup(): Promise<void>;
}

/** A fresh config dir for the provider instance `awsinst` of type `aws`. */
export async function makeConfDir(): Promise<ConfDir> {
  const dir = await mkdtemp(join(tmpdir(), 'hf-templates-'));
  const settings = { confDir: dir, providerName: 'awsinst', providerType: 'aws' };
  const logger = new RecordingLogger();
  return {
    dir,
    logger,
    repository: new FileTemplateRepository(settings, logger),
    another: () => new FileTemplateRepository(settings, new RecordingLogger()),
    write: async (name, text) => {
      const file = join(dir, name);
      await writeFile(file, text);
      return file;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
