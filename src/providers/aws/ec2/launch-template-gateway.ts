import type {
  CreateLaunchTemplateCommandInput,
} from '@aws-sdk/client-ec2';
import type { AwsConfig } from '../aws-config.js';
import { allPages, describe, send } from './aws-call.js';
import type { RegionalClients } from './aws-clients.js';
import { isNotFound } from './aws-errors.js';
import { LIVE_FLEET_STATES } from './fleet-gateway.js';
import { LIVE_INSTANCE_STATES, type InstanceGateway } from './instance-gateway.js';

/** Launch templates, and the live EC2 resources that use them. */
export class LaunchTemplateGateway {
  constructor(
    private readonly clients: RegionalClients,
    private readonly config: AwsConfig,
    private readonly instances: InstanceGateway,
  ) {}

  /** The id of the launch template with this name, if any. */
  async findByName(name: string): Promise<string | undefined> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    try {
      const output = await send('ec2:DescribeLaunchTemplates', () => ec2.send(new sdk.DescribeLaunchTemplatesCommand({ LaunchTemplateNames: [name] })));
      return output.LaunchTemplates?.[0]?.LaunchTemplateId;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Every launch template whose own tag `key` is `value` (all pages), with its creation time (epoch ms; undefined when AWS did not say). */
  async tagged(key: string, value: string): Promise<Array<{ id: string; createdAt?: number }>> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const pages = await allPages((NextToken) =>
      describe(this.config, 'ec2:DescribeLaunchTemplates', () =>
        ec2.send(new sdk.DescribeLaunchTemplatesCommand({ Filters: [{ Name: `tag:${key}`, Values: [value] }], MaxResults: 200, NextToken })),
      ),
    );
    return pages.flatMap((page) => (page.LaunchTemplates ?? []).flatMap((template) => (template.LaunchTemplateId ? [{ id: template.LaunchTemplateId, createdAt: template.CreateTime?.getTime() }] : [])));
  }

  async create(input: CreateLaunchTemplateCommandInput): Promise<string | undefined> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const output = await send('ec2:CreateLaunchTemplate', () => ec2.send(new sdk.CreateLaunchTemplateCommand(input)));
    return output.LaunchTemplate?.LaunchTemplateId;
  }

  /** Deletes a launch template; false when it was already gone. */
  async delete(id: string): Promise<boolean> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    try {
      await send('ec2:DeleteLaunchTemplate', () => ec2.send(new sdk.DeleteLaunchTemplateCommand({ LaunchTemplateId: id })));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** Which of `ids` a live instance was launched from (EC2's `aws:ec2launchtemplate:id` tag). */
  async usedByInstances(ids: readonly string[]): Promise<Set<string>> {
    const instances = await this.instances.matching([
      { Name: 'tag:aws:ec2launchtemplate:id', Values: [...ids] },
      { Name: 'instance-state-name', Values: LIVE_INSTANCE_STATES },
    ]);
    return new Set(instances.flatMap((instance) => instance.Tags?.filter((tag) => tag.Key === 'aws:ec2launchtemplate:id' && tag.Value).map((tag) => tag.Value!) ?? []));
  }

  /** Launch templates of live EC2 Fleets. */
  async usedByFleets(): Promise<Set<string>> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const pages = await allPages((NextToken) =>
      describe(this.config, 'ec2:DescribeFleets', () =>
        ec2.send(new sdk.DescribeFleetsCommand({ Filters: [{ Name: 'fleet-state', Values: LIVE_FLEET_STATES }], MaxResults: 1000, NextToken })),
      ),
    );
    const configs = pages.flatMap((page) => (page.Fleets ?? []).flatMap((fleet) => fleet.LaunchTemplateConfigs ?? []));
    return new Set(configs.flatMap((config) => (config.LaunchTemplateSpecification?.LaunchTemplateId ? [config.LaunchTemplateSpecification.LaunchTemplateId] : [])));
  }

  /** Launch templates of live Spot Fleet requests. */
  async usedBySpotFleets(): Promise<Set<string>> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const pages = await allPages((NextToken) =>
      describe(this.config, 'ec2:DescribeSpotFleetRequests', () => ec2.send(new sdk.DescribeSpotFleetRequestsCommand({ MaxResults: 1000, NextToken }))),
    );
    const live = pages.flatMap((page) => (page.SpotFleetRequestConfigs ?? []).filter((fleet) => LIVE_FLEET_STATES.includes(fleet.SpotFleetRequestState ?? '')));
    const configs = live.flatMap((fleet) => fleet.SpotFleetRequestConfig?.LaunchTemplateConfigs ?? []);
    return new Set(configs.flatMap((config) => (config.LaunchTemplateSpecification?.LaunchTemplateId ? [config.LaunchTemplateSpecification.LaunchTemplateId] : [])));
  }
}
