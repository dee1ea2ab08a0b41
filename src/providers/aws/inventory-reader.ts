import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { CloudInventory, CloudResource } from '../../domain/ports/cloud-provider.js';
import type { TaggedFleet } from './ec2/fleet-gateway.js';
import type { AwsContext } from './handlers/api-handler.js';
import { toCloudHost } from './instance-mapper.js';
import type { LaunchTemplateCleaner } from './launch-template-cleaner.js';
import { TAG_PROVIDER, TAG_REQUEST_ID } from './resource-tags.js';

/** Resource kinds of the AWS provider's inventory (CloudResource.kind). */
export const RESOURCE_KINDS = { ec2Fleet: 'ec2-fleet', spotFleet: 'spot-fleet', asg: 'asg', launchTemplate: 'launch-template' } as const;

/**
 * Everything live tagged `hostfactory:provider` = this provider instance, in one sweep of five
 * listings (each all pages): DescribeInstances (tag and state filters), DescribeFleets (state
 * filter; tag matched on the answer), DescribeSpotFleetRequests (tag and state matched on the
 * answer), DescribeAutoScalingGroups and DescribeLaunchTemplates (tag filters). The provider name
 * is in every filter, so two provider instances in one account never see each other's resources.
 * Launch templates are listed only when nothing uses them (the cleaner's checks, made only when
 * the provider has launch templates): one a leaked fleet used outlives the fleet otherwise.
 */
export class InventoryReader {
  constructor(
    private readonly context: AwsContext,
    private readonly launchTemplates: LaunchTemplateCleaner,
  ) {}

  async read(): Promise<CloudInventory> {
    const { gateway, providerName } = this.context;
    const [instances, ec2Fleets, spotFleets, groups, templates] = await Promise.all([
      gateway.instances.liveTagged(TAG_PROVIDER, providerName),
      gateway.ec2Fleets.liveTagged(TAG_PROVIDER, providerName),
      gateway.spotFleets.liveTagged(TAG_PROVIDER, providerName),
      gateway.groups.describeTagged(TAG_PROVIDER, providerName),
      gateway.launchTemplates.tagged(TAG_PROVIDER, providerName),
    ]);
    const unused = new Set(await this.launchTemplates.unused(templates.map((template) => template.id)));
    const now = this.context.clock.now();
    return {
      hosts: instances.map(toCloudHost),
      resources: [
        ...ec2Fleets.map((fleet) => fleetResource(RESOURCE_KINDS.ec2Fleet, fleet, now)),
        ...spotFleets.map((fleet) => fleetResource(RESOURCE_KINDS.spotFleet, fleet, now)),
        // A group being deleted (ForceDelete) is on its way out with its hosts: not live.
        ...groups.filter((group) => group.AutoScalingGroupName && !group.Status?.startsWith('Delete in progress')).map((group) => groupResource(group, now)),
        ...templates.filter((template) => unused.has(template.id)).map(({ id, createdAt }) => ({ kind: RESOURCE_KINDS.launchTemplate, id, createdAt: createdAt ?? now })),
      ],
    };
  }
}

/**
 * A fleet as a CloudResource: only `maintain` fleets keep capacity running by themselves, so only
 * they have a target. A missing creation time counts as now (a resource of unknown age is never
 * taken for an old leak).
 */
function fleetResource(kind: string, fleet: TaggedFleet, now: number): CloudResource {
  const requestId = fleet.tags[TAG_REQUEST_ID];
  return {
    kind,
    id: fleet.id,
    ...(requestId ? { requestId } : {}),
    createdAt: fleet.createdAt ?? now,
    ...(fleet.type === 'maintain' ? { target: fleet.total } : {}),
  };
}

function groupResource(group: AutoScalingGroup, now: number): CloudResource {
  const requestId = group.Tags?.find((tag) => tag.Key === TAG_REQUEST_ID)?.Value;
  return {
    kind: RESOURCE_KINDS.asg,
    id: group.AutoScalingGroupName!,
    ...(requestId ? { requestId } : {}),
    createdAt: group.CreatedTime?.getTime() ?? now,
    target: group.DesiredCapacity ?? 0,
  };
}
