import type { TemplateListing, TemplateProblem } from '../../domain/ports/template-repository.js';
import type { Template } from '../../domain/template.js';
import { parseTemplate } from './template-parser.js';
import type { TemplateFileContent } from './template-files.js';

function idOf(entry: unknown): string | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return undefined;
  const id = (entry as Record<string, unknown>).templateId;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

/** Index of the first entry with this templateId, or -1. */
export function indexOfTemplate(entries: readonly unknown[], templateId: string): number {
  return entries.findIndex((entry) => idOf(entry) === templateId);
}

/**
 * Merges template files given highest priority first. Each templateId is taken whole from the
 * highest-priority file that defines it at all; if that definition is invalid, the template is
 * reported and left out, and lower-priority definitions are NOT used in its place.
 */
export function mergeTemplateFiles(files: readonly TemplateFileContent[]): TemplateListing {
  const templates: Template[] = [];
  const problems: TemplateProblem[] = [];
  const owner = new Map<string, string>();
  const invalid = new Map<string, TemplateProblem[]>();
  const shadowed = new Map<string, string[]>();

  for (const content of files) {
    if (!content.ok) {
      problems.push(content.problem);
      continue;
    }
    content.entries.forEach((entry, index) => {
      const id = idOf(entry);
      if (id === undefined) {
        const field = `templates.${index}.templateId`;
        problems.push({ file: content.file, field, message: `${field}: a template needs a templateId; it is skipped` });
        return;
      }
      const ownerFile = owner.get(id);
      if (ownerFile === content.file) {
        problems.push({
          file: content.file,
          templateId: id,
          field: `templates.${index}`,
          message: `template '${id}' is defined more than once in ${content.file}; the first definition is used`,
        });
        return;
      }
      if (ownerFile !== undefined) {
        shadowed.set(id, [...(shadowed.get(id) ?? []), content.file]);
        return;
      }
      owner.set(id, content.file);
      const result = parseTemplate(entry, content.file);
      if (result.ok) templates.push(result.template);
      else invalid.set(id, result.problems);
    });
  }

  for (const [id, templateProblems] of invalid) {
    const lower = shadowed.get(id);
    const note = lower
      ? ` (template '${id}' is left out; its definition in ${lower.join(', ')} is not used because ${owner.get(id)} has priority)`
      : ` (template '${id}' is left out)`;
    for (const problem of templateProblems) problems.push({ ...problem, message: problem.message + note });
  }
  return { templates, problems };
}
