import type { FakeCloud } from './fake-cloud.js';
import { terminateExcess, type CapacityOwner } from './fleet-capacity.js';
import { QueryError } from './query-protocol.js';

/** A ModifyFleet / ModifySpotFleetRequest being processed: applied when `at` comes. */
export interface PendingModification {
  target: number;
  onDemandTarget: number;
  /** Terminate instances above the new target (excess capacity termination policy). */
  terminateExcess: boolean;
  at: number;
}

export interface ModifiableFleet extends CapacityOwner {
  state: string;
  pendingModification?: PendingModification;
}

/**
 * Starts a modification: the fleet is `modifying` for the cloud's transition time and keeps reporting
 * its old target meanwhile, then applies the new one and is `active` again.
 *
 * - EC2 API Reference, "ModifyFleet" (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyFleet.html):
 *   "While the EC2 Fleet is being modified, it is in the modifying state."
 * - EC2 User Guide, "Spot Fleet request states": `modifying` — "The request remains in this state until
 *   the modification is fully processed or the Spot Fleet is cancelled." That the old target is shown
 *   meanwhile is what jenkinsci/ec2-fleet-plugin#159 reports ("each modification of fleet not applied
 *   immediately and required some time during which targetCapacity is old").
 * - A second modification while `modifying`: EC2 API Reference, "Error codes for the Amazon EC2 API"
 *   (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html):
 *   `FleetNotInModifiableState` — "The Spot Fleet request must be in the active state to modify it."
 *   The docs say this for Spot Fleet only; EC2 Fleet is answered the same (not documented). The message
 *   text is not documented.
 * - History: `fleetRequestChange` `modify_in_progress` then `modify_succeeded` (EventInformation);
 *   descriptions as AWS writes them (kubernetes-retired/kube-aws#843: "Modify request received.
 *   Requested targetCapacity: N", "New targetCapacity: N").
 * - Not documented either way: whether a modifying fleet replaces lost capacity. The fake launches
 *   nothing while modifying (it could not know which target to fill).
 */
export function startModification(cloud: FakeCloud, fleet: ModifiableFleet, change: Omit<PendingModification, 'at'>): void {
  if (fleet.state !== 'active') {
    throw new QueryError('FleetNotInModifiableState', `Fleet Request: ${fleet.id} is in the ${fleet.state} state; it must be in the active state to modify it.`);
  }
  fleet.pendingModification = { ...change, at: cloud.now() + cloud.transitionMs };
  fleet.state = 'modifying';
  fleet.modifying = true;
  fleet.history.push({ timestamp: cloud.now(), eventType: 'fleetRequestChange', eventSubType: 'modify_in_progress', description: `Modify request received. Requested targetCapacity: ${change.target}` });
}

/** Applies a modification whose time has come; call on every tick before reconciling capacity. */
export function finishModification(cloud: FakeCloud, fleet: ModifiableFleet): void {
  const pending = fleet.pendingModification;
  if (!pending || cloud.now() < pending.at) return;
  fleet.pendingModification = undefined;
  fleet.modifying = false;
  if (fleet.state !== 'modifying') return;
  fleet.target = pending.target;
  fleet.onDemandTarget = pending.onDemandTarget;
  if (pending.terminateExcess) terminateExcess(cloud, fleet.id, fleet.target);
  fleet.state = 'active';
  fleet.history.push({ timestamp: cloud.now(), eventType: 'fleetRequestChange', eventSubType: 'modify_succeeded', description: `New targetCapacity: ${fleet.target}` });
}

/** Deleting or cancelling a fleet drops a modification in progress. */
export function dropModification(fleet: ModifiableFleet): void {
  fleet.pendingModification = undefined;
  fleet.modifying = false;
}
