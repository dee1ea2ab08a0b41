import type { FakeAutoScaling, FakeAutoScalingGroup } from './auto-scaling-groups.js';
import type { FakeEc2Fleet, FakeEc2Fleets } from './ec2-fleets.js';
import { LIVE_STATES, type FakeCloud, type FakeInstance } from './fake-cloud.js';
import type { FakeSpotFleet, FakeSpotFleets } from './spot-fleets.js';

const REQUEST_TAG = 'hostfactory:request-id';

/** What the fake cloud holds for one HostFactory request. */
export interface RequestResources {
  /** Every instance launched for the request, in any state. */
  instances: FakeInstance[];
  /** Those still pending or running. */
  live: FakeInstance[];
  ec2Fleets: FakeEc2Fleet[];
  spotFleets: FakeSpotFleet[];
  /** Auto Scaling groups that still exist (deleting ones included). */
  groups: FakeAutoScalingGroup[];
}

interface Sources {
  cloud: FakeCloud;
  ec2Fleets: FakeEc2Fleets;
  spotFleets: FakeSpotFleets;
  autoScaling: FakeAutoScaling;
}

/**
 * Finds a request's resources the way an operator would: fleets, spot fleet requests and groups
 * tagged with its id, and instances tagged with it or launched by one of those resources (fleet
 * instances get the request tag only at the provider's first poll).
 */
export function resourcesOfRequest(sources: Sources, requestId: string): RequestResources {
  const ec2Fleets = [...sources.ec2Fleets.fleets.values()].filter((fleet) => fleet.tags[REQUEST_TAG] === requestId);
  const spotFleets = [...sources.spotFleets.fleets.values()].filter((fleet) => fleet.tags[REQUEST_TAG] === requestId);
  const groups = [...sources.autoScaling.groups.values()].filter((group) => group.tags.some((tag) => tag.key === REQUEST_TAG && tag.value === requestId));
  const owners = new Set<string>([...ec2Fleets, ...spotFleets].map((fleet) => fleet.id));
  for (const group of groups) owners.add(group.name);
  const instances = [...sources.cloud.instances.values()]
    .map((instance) => sources.cloud.refresh(instance))
    .filter((instance) => instance.tags[REQUEST_TAG] === requestId || (instance.owner !== undefined && owners.has(instance.owner)) || instance.owner === `hostfactory-${requestId}`);
  return { instances, live: instances.filter((instance) => LIVE_STATES.has(instance.state)), ec2Fleets, spotFleets, groups };
}
