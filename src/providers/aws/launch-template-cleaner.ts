import {
  DeleteLaunchTemplateCommand,
  DescribeFleetsCommand,
  DescribeInstancesCommand,
  DescribeSpotFleetRequestsCommand,
} from '@aws-sdk/client-ec2';
import type { ProviderApi } from '../../domain/template.js';
import type { AwsContext } from './api-handler.js';
import { awsReason, isNotFound } from './aws-error-classifier.js';
import { TAG_PROVIDER } from './resource-tags.js';

const LIVE_INSTANCE_STATES = ['pending', 'running', 'stopping', 'stopped'];
const LIVE_FLEET_STATES = new Set(['submitted', 'active', 'modifying']);

/**
 * Deletes launch templates this provider created once nothing uses them: no live instance
 * launched from them (EC2's `aws:ec2launchtemplate:id` tag) and no live resource of the API they
 * were made for (our launch templates are per API: see launchTemplateName) — EC2 Fleets, Spot
 * Fleets or this provider's Auto Scaling groups.
 */
export class LaunchTemplateCleaner {
  constructor(private readonly context: AwsContext) {}

  /** Deletes the unused ones among `ids`; returns the ids deleted. Never throws. */
  async cleanUp(ids: readonly string[], apis: ReadonlySet<ProviderApi>): Promise<string[]> {
    const candidates = new Set(ids);
    if (candidates.size === 0) return [];
    try {
      for (const id of await this.usedByInstances([...candidates])) candidates.delete(id);
      if (candidates.size > 0 && apis.has('EC2Fleet')) for (const id of await this.usedByFleets()) candidates.delete(id);
      if (candidates.size > 0 && apis.has('SpotFleet')) for (const id of await this.usedBySpotFleets()) candidates.delete(id);
      if (candidates.size > 0 && apis.has('ASG')) for (const id of await this.usedByGroups()) candidates.delete(id);
      const ec2 = await this.context.clients.ec2();
      const deleted: string[] = [];
      for (const id of candidates) {
        try {
          await ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: id }));
          deleted.push(id);
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }
      return deleted;
    } catch (error) {
      this.context.logger.warn({ launchTemplateIds: [...candidates], error: awsReason(error) }, 'launch templates not cleaned up');
      return [];
    }
  }

  private async usedByInstances(ids: string[]): Promise<Set<string>> {
    const ec2 = await this.context.clients.ec2();
    const used = new Set<string>();
    let NextToken: string | undefined;
    do {
      const output = await ec2.send(
        new DescribeInstancesCommand({
          Filters: [
            { Name: 'tag:aws:ec2launchtemplate:id', Values: ids },
            { Name: 'instance-state-name', Values: LIVE_INSTANCE_STATES },
          ],
          MaxResults: 1000,
          NextToken,
        }),
      );
      for (const reservation of output.Reservations ?? []) {
        for (const instance of reservation.Instances ?? []) {
          const tag = instance.Tags?.find((entry) => entry.Key === 'aws:ec2launchtemplate:id');
          if (tag?.Value) used.add(tag.Value);
        }
      }
      NextToken = output.NextToken;
    } while (NextToken);
    return used;
  }

  private async usedByFleets(): Promise<Set<string>> {
    const ec2 = await this.context.clients.ec2();
    const used = new Set<string>();
    let NextToken: string | undefined;
    do {
      const output = await ec2.send(
        new DescribeFleetsCommand({ Filters: [{ Name: 'fleet-state', Values: [...LIVE_FLEET_STATES] }], MaxResults: 1000, NextToken }),
      );
      for (const fleet of output.Fleets ?? []) {
        for (const config of fleet.LaunchTemplateConfigs ?? []) {
          const id = config.LaunchTemplateSpecification?.LaunchTemplateId;
          if (id) used.add(id);
        }
      }
      NextToken = output.NextToken;
    } while (NextToken);
    return used;
  }

  private async usedBySpotFleets(): Promise<Set<string>> {
    const ec2 = await this.context.clients.ec2();
    const used = new Set<string>();
    let NextToken: string | undefined;
    do {
      const output = await ec2.send(new DescribeSpotFleetRequestsCommand({ MaxResults: 1000, NextToken }));
      for (const fleet of output.SpotFleetRequestConfigs ?? []) {
        if (!LIVE_FLEET_STATES.has(fleet.SpotFleetRequestState ?? '')) continue;
        for (const config of fleet.SpotFleetRequestConfig?.LaunchTemplateConfigs ?? []) {
          const id = config.LaunchTemplateSpecification?.LaunchTemplateId;
          if (id) used.add(id);
        }
      }
      NextToken = output.NextToken;
    } while (NextToken);
    return used;
  }

  private async usedByGroups(): Promise<Set<string>> {
    const { sdk, client } = await this.context.clients.autoScaling();
    const used = new Set<string>();
    let NextToken: string | undefined;
    do {
      const output = await client.send(
        new sdk.DescribeAutoScalingGroupsCommand({
          Filters: [{ Name: `tag:${TAG_PROVIDER}`, Values: [this.context.providerName] }],
          MaxRecords: 100,
          NextToken,
        }),
      );
      for (const group of output.AutoScalingGroups ?? []) {
        // A group being deleted (ForceDelete) launches nothing more: it no longer holds its template.
        if (group.Status?.startsWith('Delete in progress')) continue;
        const specs = [group.LaunchTemplate, group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification];
        for (const spec of specs) if (spec?.LaunchTemplateId) used.add(spec.LaunchTemplateId);
      }
      NextToken = output.NextToken;
    } while (NextToken);
    return used;
  }
}
