import { inject, injectable } from 'inversify';
import { HostFactoryError } from '../domain/errors.js';
import { TemplateRepository, type TemplateListing, type TemplateWriteTarget } from '../domain/ports/template-repository.js';
import type { Template } from '../domain/template.js';

/** Template management for people: list, show, validate, add, update, remove. */
@injectable()
export class TemplateCatalog {
  constructor(@inject(TemplateRepository) private readonly templates: TemplateRepository) {}

  list(): Promise<TemplateListing> {
    return this.templates.list();
  }

  async show(templateId: string): Promise<Template> {
    const template = await this.templates.find(templateId);
    if (!template) throw new HostFactoryError('TEMPLATE_NOT_FOUND', `template "${templateId}" not found`);
    return template;
  }

  /** Validates templates from a document `{templates: [...]}` or a single template object. */
  validate(document: unknown, sourceFile: string): Template[] {
    return templatesIn(document).map((raw) => this.templates.validate(raw, sourceFile));
  }

  async add(document: unknown, target?: TemplateWriteTarget): Promise<string[]> {
    const files: string[] = [];
    for (const raw of templatesIn(document)) files.push(await this.templates.add(raw, target));
    return files;
  }

  async update(document: unknown, target?: TemplateWriteTarget): Promise<string[]> {
    const files: string[] = [];
    for (const raw of templatesIn(document)) files.push(await this.templates.update(raw, target));
    return files;
  }

  remove(templateId: string, target?: TemplateWriteTarget): Promise<string> {
    return this.templates.remove(templateId, target);
  }
}

function templatesIn(document: unknown): unknown[] {
  if (document && typeof document === 'object' && 'templates' in document) {
    const list = (document as { templates: unknown }).templates;
    if (!Array.isArray(list)) throw new HostFactoryError('INVALID_INPUT', '"templates" must be a list');
    return list;
  }
  return [document];
}
