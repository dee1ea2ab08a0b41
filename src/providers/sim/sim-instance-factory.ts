import type { SimConfig } from './sim-config.js';
import type { SimInstance } from './sim-instance.js';
import type { LaunchPlan } from './launch-plan.js';
import { draw, stableHex } from './seeded-random.js';

export interface LaunchContext {
  /** SIM_SEED, or a fresh random seed for this launch. */
  seed: string;
  requestId: string;
  templateId: string;
  providerName: string;
  templateTags: Record<string, string>;
  /** epoch ms */
  now: number;
  config: SimConfig;
}

export const REQUEST_ID_TAG = 'hostfactory:request-id';
export const TEMPLATE_ID_TAG = 'hostfactory:template-id';
export const PROVIDER_TAG = 'hostfactory:provider';

export function reservationIdOf(context: Pick<LaunchContext, 'seed' | 'requestId'>): string {
  return `r-${stableHex(context.seed, 17, 'reservation', context.requestId)}`;
}

/** The tags every instance of a launch carries: the template's, then the owner's. */
export function launchTags(context: Pick<LaunchContext, 'templateTags' | 'requestId' | 'templateId' | 'providerName'>): Record<string, string> {
  return { ...context.templateTags, [REQUEST_ID_TAG]: context.requestId, [TEMPLATE_ID_TAG]: context.templateId, [PROVIDER_TAG]: context.providerName };
}

export function hostNameOf(privateIp: string): string {
  return `ip-${privateIp.replaceAll('.', '-')}.ec2.internal`;
}

/**
 * The instances of a planned launch, with their fault-injection fate decided now from the seed
 * and the instance id (so the same seed gives the same fates whatever the call order).
 */
export function createInstances(plan: LaunchPlan, ips: readonly string[], context: LaunchContext): SimInstance[] {
  const { config, seed, requestId, now } = context;
  const reservationId = reservationIdOf(context);
  const tags = launchTags(context);
  return plan.instances.map((planned, index) => {
    const instanceId = `i-${stableHex(seed, 17, 'instance', requestId, String(index))}`;
    const bootFails = config.launchFailureRate > 0 && draw(seed, instanceId, 'boot-failure') < config.launchFailureRate;
    const interrupted =
      planned.priceType === 'spot' &&
      !bootFails &&
      config.interruptionRate > 0 &&
      draw(seed, instanceId, 'interruption') < config.interruptionRate;
    const noticeAt = interrupted ? now + config.interruptionAfterSec * 1000 : null;
    return {
      instanceId,
      requestId,
      reservationId,
      instanceType: planned.instanceType,
      priceType: planned.priceType,
      weight: planned.weight,
      privateIp: ips[index],
      name: hostNameOf(ips[index]),
      tags: { ...tags },
      launchedAt: now,
      bootFails,
      noticeAt,
      reclaimAt: noticeAt === null ? null : noticeAt + config.interruptionGraceSec * 1000,
      releasedAt: null,
      terminatedOutsideAt: null,
    };
  });
}
