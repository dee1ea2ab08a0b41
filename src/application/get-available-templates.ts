import { inject, injectable } from 'inversify';
import { everyPoolRemembered, type RememberedOffering } from '../domain/offering.js';
import { CloudProvider } from '../domain/ports/cloud-provider.js';
import { Logger } from '../domain/ports/logger.js';
import { MachineRepository } from '../domain/ports/machine-repository.js';
import { RequestRepository } from '../domain/ports/request-repository.js';
import { TemplateRepository, type TemplateProblem } from '../domain/ports/template-repository.js';
import { withPriceInfo } from '../domain/price.js';
import { availableUnits, isUnlimited, unitsHeldByTemplate, type Template } from '../domain/template.js';
import { CachedPrices } from './cached-prices.js';
import { UnavailableOfferings } from './unavailable-offerings.js';

export interface TemplateAvailability {
  template: Template;
  unitsHeld: number;
  /** Undefined when the template is unlimited (and has a pool not remembered out of capacity). */
  availableNumber?: number;
  /** Host names of the live machines launched from the template. */
  requestedMachines: string[];
}

export interface AvailableTemplates {
  templates: TemplateAvailability[];
  problems: TemplateProblem[];
}

/**
 * getAvailableTemplates: each template with what it may still provide. A template whose every
 * pool is remembered out of capacity (see UnavailableOfferings) offers 0 until the memory
 * expires, so HostFactory turns to another template instead of asking for hosts that would fail.
 * With PRICE_INFO=auto, a template that sets no `priceInfo` attribute gets one from the price
 * cache while it is fresh (see CachedPrices), so HostFactory's cost-based choice ranks on it.
 */
@injectable()
export class GetAvailableTemplates {
  constructor(
    @inject(TemplateRepository) private readonly templates: TemplateRepository,
    @inject(RequestRepository) private readonly requests: RequestRepository,
    @inject(MachineRepository) private readonly machines: MachineRepository,
    @inject(Logger) private readonly logger: Logger,
    @inject(CloudProvider) private readonly cloud: CloudProvider,
    @inject(UnavailableOfferings) private readonly offerings: UnavailableOfferings,
    @inject(CachedPrices) private readonly prices: CachedPrices,
  ) {}

  async execute(): Promise<AvailableTemplates> {
    const [listing, live, outstanding, remembered, sheet] = await Promise.all([
      this.templates.list(),
      this.machines.listLive(),
      this.requests.listOutstanding(),
      this.offerings.current(),
      this.prices.forPriceInfo(),
    ]);
    for (const problem of listing.problems) this.logger.warn({ ...problem }, 'template left out');
    const held = unitsHeldByTemplate(live, outstanding);
    const exhausted = await this.outOfCapacity(listing.templates, remembered);
    const templates = listing.templates.map((template) => {
      const unitsHeld = held.get(template.templateId) ?? 0;
      const limit = isUnlimited(template) ? undefined : availableUnits(template, unitsHeld);
      return {
        template: sheet ? withPriceInfo(template, sheet) : template,
        unitsHeld,
        availableNumber: exhausted.has(template.templateId) ? 0 : limit,
        requestedMachines: live.filter((machine) => machine.templateId === template.templateId).map((machine) => machine.name),
      };
    });
    return { templates, problems: listing.problems };
  }

  /** Ids of the templates whose every pool is remembered out of capacity; asks the cloud provider nothing when nothing is remembered. */
  private async outOfCapacity(templates: readonly Template[], remembered: readonly RememberedOffering[]): Promise<Set<string>> {
    const exhausted = new Set<string>();
    if (remembered.length === 0 || !this.cloud.offeringsOf) return exhausted;
    for (const template of templates) {
      const pools = await this.cloud.offeringsOf(template);
      if (pools && everyPoolRemembered(pools, remembered)) exhausted.add(template.templateId);
    }
    if (exhausted.size > 0) this.logger.info({ templates: [...exhausted] }, 'templates whose every pool is out of capacity offer 0');
    return exhausted;
  }
}
