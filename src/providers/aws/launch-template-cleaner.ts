import type { ProviderApi } from '../../domain/template.js';
import { awsReason } from './ec2/aws-errors.js';
import type { AwsContext } from './handlers/api-handler.js';
import { TAG_PROVIDER } from './resource-tags.js';

const EVERY_API: ReadonlySet<ProviderApi> = new Set(['RunInstances', 'EC2Fleet', 'SpotFleet', 'ASG']);

/**
 * Deletes launch templates this provider created once nothing uses them: no live instance
 * launched from them (EC2's `aws:ec2launchtemplate:id` tag) and no live resource of the API they
 * were made for (our launch templates are per API: see launchTemplateName) — EC2 Fleets, Spot
 * Fleets or this provider's Auto Scaling groups.
 */
export class LaunchTemplateCleaner {
  constructor(private readonly context: AwsContext) {}

  /** Deletes the unused ones among `ids`; returns the ids deleted. Never throws. */
  async cleanUp(ids: readonly string[], apis: ReadonlySet<ProviderApi> = EVERY_API): Promise<string[]> {
    try {
      const deleted: string[] = [];
      for (const id of await this.unused(ids, apis)) if (await this.context.gateway.launchTemplates.delete(id)) deleted.push(id);
      return deleted;
    } catch (error) {
      this.context.logger.warn({ launchTemplateIds: ids, error: awsReason(error) }, 'launch templates not cleaned up');
      return [];
    }
  }

  /** The ones among `ids` no live instance, and no live resource of `apis`, uses. */
  async unused(ids: readonly string[], apis: ReadonlySet<ProviderApi> = EVERY_API): Promise<string[]> {
    const candidates = new Set(ids);
    if (candidates.size === 0) return [];
    const gateway = this.context.gateway.launchTemplates;
    for (const id of await gateway.usedByInstances([...candidates])) candidates.delete(id);
    if (candidates.size > 0 && apis.has('EC2Fleet')) for (const id of await gateway.usedByFleets()) candidates.delete(id);
    if (candidates.size > 0 && apis.has('SpotFleet')) for (const id of await gateway.usedBySpotFleets()) candidates.delete(id);
    if (candidates.size > 0 && apis.has('ASG')) for (const id of await this.usedByGroups()) candidates.delete(id);
    return [...candidates];
  }

  private async usedByGroups(): Promise<Set<string>> {
    const used = new Set<string>();
    for (const group of await this.context.gateway.groups.describeTagged(TAG_PROVIDER, this.context.providerName)) {
      // A group being deleted (ForceDelete) launches nothing more: it no longer holds its template.
      if (group.Status?.startsWith('Delete in progress')) continue;
      const specs = [group.LaunchTemplate, group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification];
      for (const spec of specs) if (spec?.LaunchTemplateId) used.add(spec.LaunchTemplateId);
    }
    return used;
  }
}
