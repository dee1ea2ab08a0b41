import { inject, injectable } from 'inversify';
import { Logger } from '../domain/ports/logger.js';
import { MachineRepository } from '../domain/ports/machine-repository.js';
import { RequestRepository } from '../domain/ports/request-repository.js';
import { TemplateRepository, type TemplateProblem } from '../domain/ports/template-repository.js';
import { availableUnits, isUnlimited, unitsHeldByTemplate, type Template } from '../domain/template.js';

export interface TemplateAvailability {
  template: Template;
  unitsHeld: number;
  /** Undefined when the template is unlimited. */
  availableNumber?: number;
  /** Host names of the live machines launched from the template. */
  requestedMachines: string[];
}

export interface AvailableTemplates {
  templates: TemplateAvailability[];
  problems: TemplateProblem[];
}

@injectable()
export class GetAvailableTemplates {
  constructor(
    @inject(TemplateRepository) private readonly templates: TemplateRepository,
    @inject(RequestRepository) private readonly requests: RequestRepository,
    @inject(MachineRepository) private readonly machines: MachineRepository,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  async execute(): Promise<AvailableTemplates> {
    const [listing, live, outstanding] = await Promise.all([
      this.templates.list(),
      this.machines.listLive(),
      this.requests.listOutstanding(),
    ]);
    for (const problem of listing.problems) this.logger.warn({ ...problem }, 'template left out');
    const held = unitsHeldByTemplate(live, outstanding);
    const templates = listing.templates.map((template) => {
      const unitsHeld = held.get(template.templateId) ?? 0;
      return {
        template,
        unitsHeld,
        availableNumber: isUnlimited(template) ? undefined : availableUnits(template, unitsHeld),
        requestedMachines: live.filter((machine) => machine.templateId === template.templateId).map((machine) => machine.name),
      };
    });
    return { templates, problems: listing.problems };
  }
}
