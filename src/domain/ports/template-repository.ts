import type { ServiceIdentifier } from 'inversify';
import type { Template } from '../template.js';

/** A template that could not be read, named so the administrator can fix it. */
export interface TemplateProblem {
  file: string;
  templateId?: string;
  /** Dotted path of the offending field, when one field is at fault. */
  field?: string;
  message: string;
}

export interface TemplateListing {
  /** Valid templates, one per templateId, each taken whole from the highest-priority file. */
  templates: Template[];
  /** Broken files and templates; they are left out of `templates`, never fatal. */
  problems: TemplateProblem[];
}

/** Where a template write goes: a file the user names, else the provider instance's own file. */
export interface TemplateWriteTarget {
  file?: string;
}

/** Templates found through the provider's file hierarchy (CONTRACT.md), and their management. */
export interface TemplateRepository {
  /** Every valid template plus the problems found. Throws CONFIG_INVALID only if the config dir cannot be read. */
  list(): Promise<TemplateListing>;
  /** The effective template with this id, or undefined when none is valid. */
  find(templateId: string): Promise<Template | undefined>;
  /**
   * Validates a raw template object as written by an administrator. Returns the template, or
   * throws INVALID_INPUT naming the field.
   */
  validate(raw: unknown, sourceFile: string): Template;
  /** Adds a new template to the target file (atomic write). Throws INVALID_INPUT if it already exists there or is invalid. Returns the file written. */
  add(raw: unknown, target?: TemplateWriteTarget): Promise<string>;
  /** Replaces a template in the file it lives in, or the target file. Throws TEMPLATE_NOT_FOUND, INVALID_INPUT. Returns the file written. */
  update(raw: unknown, target?: TemplateWriteTarget): Promise<string>;
  /** Removes a template from its file (or the target file). Throws TEMPLATE_NOT_FOUND. Returns the file written. */
  remove(templateId: string, target?: TemplateWriteTarget): Promise<string>;
}

export const TemplateRepository: ServiceIdentifier<TemplateRepository> = Symbol.for('TemplateRepository');
