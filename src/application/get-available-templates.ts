import { inject, injectable } from 'inversify';
import { holdsCapacity, type Machine } from '../domain/machine.js';
import { Logger } from '../domain/ports/logger.js';
import { MachineRepository } from '../domain/ports/machine-repository.js';
import { RequestRepository } from '../domain/ports/request-repository.js';
import { TemplateRepository, type TemplateProblem } from '../domain/ports/template-repository.js';
import type { Request } from '../domain/request.js';
import { availableUnits, isUnlimited, type Template } from '../domain/template.js';

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

/** Units each template holds: live machines, plus what outstanding requests still wait for. */
export function unitsHeldByTemplate(live: readonly Machine[], outstanding: readonly Request[]): Map<string, number> {
  const held = new Map<string, number>();
  const add = (templateId: string, units: number) => held.set(templateId, (held.get(templateId) ?? 0) + units);
  const liveUnitsByRequest = new Map<string, number>();
  for (const machine of live) {
    if (!holdsCapacity(machine)) continue;
    add(machine.templateId, machine.weight);
    liveUnitsByRequest.set(machine.requestId, (liveUnitsByRequest.get(machine.requestId) ?? 0) + machine.weight);
  }
  for (const request of outstanding) {
    if (request.kind !== 'acquire' || !request.templateId) continue;
    add(request.templateId, Math.max(0, request.machineCount - (liveUnitsByRequest.get(request.requestId) ?? 0)));
  }
  return held;
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
