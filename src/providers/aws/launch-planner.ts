import { offeringKey, type Offering } from '../../domain/offering.js';
import type { LaunchOrder, PlannedLaunch } from '../../domain/ports/cloud-provider.js';
import { chooseApi } from './api-choice.js';
import type { AwsProviderParts } from './aws-provider-parts.js';
import { planCapacity } from './capacity-plan.js';
import { requestTags } from './resource-tags.js';

/**
 * `machines request --dry-run` on AWS: the API a request of the order would call, the pools (its
 * types by priority, each market its units go to, the zones of its subnets; pools remembered out
 * of capacity last), the tags, and the very launch call made with DryRun (LaunchCheck, as
 * `templates validate --cloud` makes it). Reads subnets; launches and creates nothing.
 */
export async function planAwsLaunch(parts: AwsProviderParts, order: LaunchOrder): Promise<PlannedLaunch> {
  const { template, units, requestId } = order;
  const choice = chooseApi(template);
  const plan = planCapacity(template, units);
  const zones = [...new Set((await parts.subnets.zonesOf(plan.subnetIds)).values())];
  const markets: Array<[Offering['market'], number]> = [
    ...(plan.onDemandUnits > 0 ? [['ondemand', plan.onDemandUnits] as [Offering['market'], number]] : []),
    ...(plan.spotUnits > 0 ? [['spot', plan.spotUnits] as [Offering['market'], number]] : []),
  ];
  const pools = plan.types.flatMap((type) => markets.flatMap(([market]) => zones.map((zone): Offering => ({ instanceType: type.instanceType, zone, market }))));
  const remembered = new Set((order.unavailable ?? []).map(offeringKey));
  const ordered = [...pools.filter((pool) => !remembered.has(offeringKey(pool))), ...pools.filter((pool) => remembered.has(offeringKey(pool)))];
  const findings = await parts.launchCheck.check(template, { requestId, units });
  const cloudCheck = findings.find((finding) => finding.status === 'fail') ?? findings.find((finding) => finding.field === 'launch');
  const split = markets.map(([market, marketUnits]) => `${marketUnits} ${market}`).join(', ');
  return {
    calls: [{ api: choice.fleetType ? `${choice.api} (${choice.fleetType})` : choice.api, pools: ordered, units, tags: requestTags(template, parts.context.providerName, requestId), ...(cloudCheck ? { cloudCheck } : {}) }],
    message: cloudCheck?.status === 'fail' ? `the launch would fail (${split} units): ${cloudCheck.message}` : `${split} units`,
  };
}
