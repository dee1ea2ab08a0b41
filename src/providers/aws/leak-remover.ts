import type { CloudResource } from '../../domain/ports/cloud-provider.js';
import { isNotFound, isScalingActivityInProgress } from './ec2/aws-errors.js';
import type { AwsContext } from './handlers/api-handler.js';
import { RESOURCE_KINDS } from './inventory-reader.js';
import type { LaunchTemplateCleaner } from './launch-template-cleaner.js';

const REASON = 'leak: no request in the store owns it';

/**
 * Removes what the inventory found and no request owns: fleets and groups first, with their
 * instances (DeleteFleets / CancelSpotFleetRequests with TerminateInstances, DeleteAutoScalingGroup
 * with ForceDelete), so that none of them replaces a host terminated next; then the hosts
 * (TerminateInstances, 1000 a call); then unused launch templates of ours. Ones already gone are
 * fine. Every action is tried; the first AWS error is thrown after the others were carried out.
 */
export class LeakRemover {
  constructor(
    private readonly context: AwsContext,
    private readonly launchTemplates: LaunchTemplateCleaner,
  ) {}

  async remove(hostIds: readonly string[], resources: readonly CloudResource[]): Promise<void> {
    const { gateway, logger } = this.context;
    const errors: unknown[] = [];
    const attempt = async (work: () => Promise<void>) => {
      try {
        await work();
      } catch (error) {
        errors.push(error);
      }
    };
    const idsOf = (kind: string) => [...new Set(resources.filter((resource) => resource.kind === kind).map((resource) => resource.id))];
    const ec2Fleets = idsOf(RESOURCE_KINDS.ec2Fleet);
    const spotFleets = idsOf(RESOURCE_KINDS.spotFleet);
    if (ec2Fleets.length > 0) {
      await attempt(async () => {
        await gateway.ec2Fleets.remove(ec2Fleets, true);
        for (const resourceId of ec2Fleets) logger.info({ kind: RESOURCE_KINDS.ec2Fleet, resourceId, reason: REASON }, 'leaked EC2 Fleet deleted with its instances');
      });
    }
    if (spotFleets.length > 0) {
      await attempt(async () => {
        await gateway.spotFleets.remove(spotFleets, true);
        for (const resourceId of spotFleets) logger.info({ kind: RESOURCE_KINDS.spotFleet, resourceId, reason: REASON }, 'leaked Spot Fleet request cancelled with its instances');
      });
    }
    for (const resourceId of idsOf(RESOURCE_KINDS.asg)) await attempt(() => this.deleteGroup(resourceId));
    const known = new Set<string>(Object.values(RESOURCE_KINDS));
    for (const resource of resources.filter((entry) => !known.has(entry.kind))) {
      logger.warn({ kind: resource.kind, resourceId: resource.id }, 'leaked resource of a kind the AWS provider does not make: left alone');
    }
    const hosts = [...new Set(hostIds)];
    if (hosts.length > 0) {
      await attempt(async () => {
        await gateway.instances.terminate(hosts);
        for (const instanceId of hosts) logger.info({ instanceId, reason: REASON }, 'leaked instance terminated');
      });
    }
    // Checked again for use (a launch may have taken one up since the inventory); one deleted under
    // a launch is made again by that launch (AwsCloudProvider.launchOrder).
    const launchTemplates = idsOf(RESOURCE_KINDS.launchTemplate);
    for (const launchTemplateId of await this.launchTemplates.cleanUp(launchTemplates)) {
      logger.info({ kind: RESOURCE_KINDS.launchTemplate, launchTemplateId, reason: 'no live instance, fleet or group uses it' }, 'unused launch template deleted');
    }
    if (errors.length > 0) throw errors[0];
  }

  private async deleteGroup(name: string): Promise<void> {
    const { gateway, logger } = this.context;
    try {
      await gateway.groups.delete(name);
      logger.info({ kind: RESOURCE_KINDS.asg, resourceId: name, reason: REASON }, 'leaked Auto Scaling group deleted with its instances');
    } catch (error) {
      if (isNotFound(error)) return;
      if (!isScalingActivityInProgress(error)) throw error;
      // A deletion already under way (or an activity AWS will not interrupt): the next sweep sees it again if it stays.
      logger.warn({ kind: RESOURCE_KINDS.asg, resourceId: name, reason: REASON }, 'leaked Auto Scaling group not deleted yet: a scaling activity is in progress');
    }
  }
}
