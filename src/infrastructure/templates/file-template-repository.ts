import { readFile } from 'node:fs/promises';
import { inject, injectable } from 'inversify';
import { HostFactoryError, isHostFactoryError } from '../../domain/errors.js';
import { Logger } from '../../domain/ports/logger.js';
import type {
  TemplateListing,
  TemplateRepository,
  TemplateWriteTarget,
} from '../../domain/ports/template-repository.js';
import type { Template } from '../../domain/template.js';
import { openTemplateDocument, type TemplateDocument } from './template-document.js';
import { findTemplateFiles, formatOf, readTemplateFile, resolveTargetFile } from './template-files.js';
import { indexOfTemplate, mergeTemplateFiles } from './template-hierarchy.js';
import { validateTemplate } from './template-parser.js';
import { TemplateSettings } from './template-settings.js';
import { withFileLock, type FileLockOptions } from '../files/with-file-lock.js';
import { writeFileAtomic } from '../files/write-file-atomic.js';

/** What an edit does when its file does not exist yet. */
type MissingFile = 'create' | 'not-found';

const TEMPLATE_FILE_LOCK: FileLockOptions = {
  what: 'the template file',
  staleMs: 10_000,
  retries: { retries: 200, factor: 1.2, minTimeout: 5, maxTimeout: 100, randomize: true },
};

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Templates from the provider's file hierarchy in its config dir (JSON or YAML), and their
 * management: atomic writes under a cross-process lock, other templates left as written.
 */
@injectable()
export class FileTemplateRepository implements TemplateRepository {
  constructor(
    @inject(TemplateSettings) private readonly settings: TemplateSettings,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  async list(): Promise<TemplateListing> {
    const files = await findTemplateFiles(this.settings);
    const contents = await Promise.all(files.map((file) => readTemplateFile(file)));
    const listing = mergeTemplateFiles(contents);
    for (const problem of listing.problems) {
      const { file, templateId, field } = problem;
      this.logger.warn({ file, templateId, field }, problem.message);
    }
    return listing;
  }

  async find(templateId: string): Promise<Template | undefined> {
    const { templates } = await this.list();
    return templates.find((template) => template.templateId === templateId);
  }

  validate(raw: unknown, sourceFile: string): Template {
    return validateTemplate(raw, sourceFile);
  }

  async add(raw: unknown, target?: TemplateWriteTarget): Promise<string> {
    const file = resolveTargetFile(this.settings, target?.file);
    const { templateId } = validateTemplate(raw, file);
    await this.edit(file, 'create', (document) => {
      if (indexOfTemplate(document.entries, templateId) >= 0) {
        throw new HostFactoryError('INVALID_INPUT', `template '${templateId}' already exists in ${file}`);
      }
      document.add(raw);
    });
    this.logger.info({ file, templateId }, 'template added');
    return file;
  }

  async update(raw: unknown, target?: TemplateWriteTarget): Promise<string> {
    // Validity does not depend on the file, so an invalid template fails before any lookup.
    const { templateId } = validateTemplate(raw, resolveTargetFile(this.settings, target?.file));
    const file = target?.file !== undefined ? resolveTargetFile(this.settings, target.file) : await this.locate(templateId);
    await this.edit(file, 'not-found', (document) => {
      const index = indexOfTemplate(document.entries, templateId);
      if (index < 0) throw this.notFound(templateId, file);
      document.replace(index, raw);
    });
    this.logger.info({ file, templateId }, 'template updated');
    return file;
  }

  async remove(templateId: string, target?: TemplateWriteTarget): Promise<string> {
    const file = target?.file !== undefined ? resolveTargetFile(this.settings, target.file) : await this.locate(templateId);
    await this.edit(file, 'not-found', (document) => {
      let index = indexOfTemplate(document.entries, templateId);
      if (index < 0) throw this.notFound(templateId, file);
      // Every definition in this file goes, duplicates included, so the id is really gone from it.
      while (index >= 0) {
        document.remove(index);
        index = indexOfTemplate(document.entries, templateId);
      }
    });
    this.logger.info({ file, templateId }, 'template removed');
    return file;
  }

  /** The highest-priority file that defines the id, valid or not (so a broken template can be fixed). */
  private async locate(templateId: string): Promise<string> {
    const files = await findTemplateFiles(this.settings);
    const contents = await Promise.all(files.map((file) => readTemplateFile(file)));
    const owner = contents.find((content) => content.ok && indexOfTemplate(content.entries, templateId) >= 0);
    if (!owner) {
      throw new HostFactoryError('TEMPLATE_NOT_FOUND', `template '${templateId}' is not defined in ${this.settings.confDir}`);
    }
    return owner.file;
  }

  private notFound(templateId: string, file: string): HostFactoryError {
    return new HostFactoryError('TEMPLATE_NOT_FOUND', `template '${templateId}' is not defined in ${file}`);
  }

  /** Read-modify-write of one file under its lock; the change throws to abort without writing. */
  private async edit(file: string, missing: MissingFile, change: (document: TemplateDocument) => void): Promise<void> {
    await withFileLock(file, { ...TEMPLATE_FILE_LOCK, logger: this.logger }, async () => {
      let document: TemplateDocument;
      try {
        const text = await readIfPresent(file);
        if (text === undefined && missing === 'not-found') {
          throw new HostFactoryError('TEMPLATE_NOT_FOUND', `template file ${file} does not exist`);
        }
        document = await openTemplateDocument(text, formatOf(file));
      } catch (error) {
        if (isHostFactoryError(error)) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        throw new HostFactoryError('CONFIG_INVALID', `cannot edit ${file}: ${reason}`, { cause: error });
      }
      change(document);
      try {
        await writeFileAtomic(file, document.serialize());
      } catch (error) {
        throw new HostFactoryError('CONFIG_INVALID', `cannot write ${file}: ${(error as Error).message}`, { cause: error });
      }
    });
  }
}
