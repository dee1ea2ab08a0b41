import { dirname, isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import { HostFactoryError } from '../../domain/errors.js';
import type { TemplateProblem } from '../../domain/ports/template-repository.js';
import type { Template } from '../../domain/template.js';
import { templateSchema, type ParsedTemplateFields } from './template-schema.js';

export type TemplateParseResult =
  | { ok: true; template: Template }
  | { ok: false; templateId?: string; problems: TemplateProblem[] };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy, so later edits of the caller's object do not change the template's `raw`. */
function copyOf(raw: Record<string, unknown>): Record<string, unknown> {
  try {
    return structuredClone(raw);
  } catch {
    return { ...raw }; // holds something not cloneable (only possible from code, not from a file)
  }
}

const missingIsRequired = (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : undefined);

function fieldOf(issue: z.core.$ZodIssue): string | undefined {
  return issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
}

function toTemplate(fields: ParsedTemplateFields, raw: Record<string, unknown>, sourceFile: string): Template {
  const { subnetId, instanceTags, securityGroupIds, userDataScript, ...rest } = fields;
  const template: Template = {
    ...rest,
    subnetIds: subnetId ?? [],
    instanceTags: instanceTags ?? {},
    securityGroupIds: securityGroupIds ?? [],
    raw,
    sourceFile,
  };
  if (userDataScript !== undefined) {
    template.userDataScript = isAbsolute(userDataScript) ? userDataScript : resolve(dirname(sourceFile), userDataScript);
  }
  return template;
}

/**
 * Parses one template object as an administrator wrote it in `sourceFile`. Never throws: a broken
 * template comes back as one problem per faulty field.
 */
export function parseTemplate(raw: unknown, sourceFile: string): TemplateParseResult {
  const file = resolve(sourceFile);
  if (!isPlainObject(raw)) {
    return { ok: false, problems: [{ file, message: 'a template must be an object' }] };
  }
  const templateId = typeof raw.templateId === 'string' ? raw.templateId : undefined;
  const result = templateSchema.safeParse(raw, { error: missingIsRequired });
  if (!result.success) {
    const problems = result.error.issues.map((issue): TemplateProblem => {
      const field = fieldOf(issue);
      return { file, templateId, field, message: field ? `${field}: ${issue.message}` : issue.message };
    });
    return { ok: false, templateId, problems };
  }
  return { ok: true, template: toTemplate(result.data, copyOf(raw), file) };
}

/** Like `parseTemplate`, but throws INVALID_INPUT naming every faulty field. */
export function validateTemplate(raw: unknown, sourceFile: string): Template {
  const result = parseTemplate(raw, sourceFile);
  if (result.ok) return result.template;
  const name = result.templateId ? `template '${result.templateId}'` : 'template';
  const details = result.problems.map((problem) => problem.message).join('; ');
  throw new HostFactoryError('INVALID_INPUT', `invalid ${name}: ${details}`);
}
