import { inject, injectable } from 'inversify';
import { HostFactoryError } from '../domain/errors.js';
import { CloudProvider, type TemplateCheck } from '../domain/ports/cloud-provider.js';
import { TemplateRepository } from '../domain/ports/template-repository.js';
import type { Template } from '../domain/template.js';

export interface TemplateCheckReport {
  checks: TemplateCheck[];
  /** True when no finding of any template failed. */
  passed: boolean;
}

/**
 * `templates validate --cloud`: each template (all of them, or the ids given) checked against the
 * cloud by the provider, launching nothing. A template the files hold but that is invalid offline
 * is reported failed with its problem, without asking the cloud.
 */
@injectable()
export class CheckTemplates {
  constructor(
    @inject(TemplateRepository) private readonly templates: TemplateRepository,
    @inject(CloudProvider) private readonly cloud: CloudProvider,
  ) {}

  async execute(templateIds: readonly string[] = []): Promise<TemplateCheckReport> {
    if (!this.cloud.checkTemplates) throw new HostFactoryError('INVALID_INPUT', 'this cloud provider cannot check templates against the cloud');
    const listing = await this.templates.list();
    const wanted = new Set(templateIds);
    const invalid: TemplateCheck[] = listing.problems
      .filter((problem) => wanted.size === 0 || (problem.templateId !== undefined && wanted.has(problem.templateId)))
      .map((problem) => ({
        templateId: problem.templateId ?? problem.file,
        findings: [{ field: problem.field ?? 'template', status: 'fail', message: `${problem.file}: ${problem.message}` }],
      }));
    const chosen: Template[] = [];
    for (const id of wanted.size === 0 ? listing.templates.map((template) => template.templateId) : [...wanted]) {
      const template = listing.templates.find((candidate) => candidate.templateId === id);
      if (template) chosen.push(template);
      else if (!invalid.some((check) => check.templateId === id)) throw new HostFactoryError('TEMPLATE_NOT_FOUND', `template "${id}" not found`);
    }
    const checks = [...(chosen.length > 0 ? await this.cloud.checkTemplates(chosen) : []), ...invalid];
    return { checks, passed: checks.every((check) => check.findings.every((finding) => finding.status !== 'fail')) };
  }
}
