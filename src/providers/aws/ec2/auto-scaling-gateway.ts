import type { Activity, AutoScalingGroup, CreateAutoScalingGroupCommandInput, UpdateAutoScalingGroupCommandInput } from '@aws-sdk/client-auto-scaling';
import type { AwsConfig } from '../aws-config.js';
import { chunk } from '../../../shared/chunk.js';
import { allPages, describe, send } from './aws-call.js';
import type { RegionalClients } from './aws-clients.js';

/** Auto Scaling group calls; the Auto Scaling SDK is loaded on the first of them. */
export class AutoScalingGateway {
  constructor(
    private readonly clients: RegionalClients,
    private readonly config: AwsConfig,
  ) {}

  async create(input: CreateAutoScalingGroupCommandInput): Promise<void> {
    const { sdk, client } = await this.clients.autoScaling();
    await send('autoscaling:CreateAutoScalingGroup', () => client.send(new sdk.CreateAutoScalingGroupCommand(input)));
  }

  /** The groups among `names` that exist, 100 names a call, all pages. */
  async describe(names: readonly string[]): Promise<Map<string, AutoScalingGroup>> {
    const groups = new Map<string, AutoScalingGroup>();
    if (names.length === 0) return groups;
    const { sdk, client } = await this.clients.autoScaling();
    for (const part of chunk([...new Set(names)], 100)) {
      const pages = await allPages((NextToken) =>
        describe(this.config, 'autoscaling:DescribeAutoScalingGroups', () =>
          client.send(new sdk.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: part, MaxRecords: 100, NextToken })),
        ),
      );
      for (const group of pages.flatMap((page) => page.AutoScalingGroups ?? [])) if (group.AutoScalingGroupName) groups.set(group.AutoScalingGroupName, group);
    }
    return groups;
  }

  /** Every group tagged `tag`=`value`. */
  async describeTagged(tag: string, value: string): Promise<AutoScalingGroup[]> {
    const { sdk, client } = await this.clients.autoScaling();
    const pages = await allPages((NextToken) =>
      describe(this.config, 'autoscaling:DescribeAutoScalingGroups', () =>
        client.send(new sdk.DescribeAutoScalingGroupsCommand({ Filters: [{ Name: `tag:${tag}`, Values: [value] }], MaxRecords: 100, NextToken })),
      ),
    );
    return pages.flatMap((page) => page.AutoScalingGroups ?? []);
  }

  async update(input: UpdateAutoScalingGroupCommandInput): Promise<void> {
    const { sdk, client } = await this.clients.autoScaling();
    await send('autoscaling:UpdateAutoScalingGroup', () => client.send(new sdk.UpdateAutoScalingGroupCommand(input)));
  }

  async suspendProcesses(name: string, processes: string[]): Promise<void> {
    const { sdk, client } = await this.clients.autoScaling();
    await send('autoscaling:SuspendProcesses', () => client.send(new sdk.SuspendProcessesCommand({ AutoScalingGroupName: name, ScalingProcesses: processes })));
  }

  async terminateInstance(instanceId: string, decrementDesiredCapacity: boolean): Promise<void> {
    const { sdk, client } = await this.clients.autoScaling();
    await send('autoscaling:TerminateInstanceInAutoScalingGroup', () =>
      client.send(new sdk.TerminateInstanceInAutoScalingGroupCommand({ InstanceId: instanceId, ShouldDecrementDesiredCapacity: decrementDesiredCapacity })),
    );
  }

  async delete(name: string): Promise<void> {
    const { sdk, client } = await this.clients.autoScaling();
    await send('autoscaling:DeleteAutoScalingGroup', () => client.send(new sdk.DeleteAutoScalingGroupCommand({ AutoScalingGroupName: name, ForceDelete: true })));
  }

  async activities(name: string): Promise<Activity[]> {
    const { sdk, client } = await this.clients.autoScaling();
    const output = await describe(this.config, 'autoscaling:DescribeScalingActivities', () =>
      client.send(new sdk.DescribeScalingActivitiesCommand({ AutoScalingGroupName: name, MaxRecords: 20 })),
    );
    return output.Activities ?? [];
  }
}
