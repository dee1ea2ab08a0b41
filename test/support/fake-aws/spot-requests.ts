import type { FakeCloud, FakeInstance } from './fake-cloud.js';
import { element, iso, itemSet, list, QueryError, wrap } from './query-protocol.js';

/**
 * Status messages: the descriptions of the codes in the EC2 User Guide, "Get the status of a Spot
 * Instance request", "Spot request status codes"
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-request-status.html). The docs give no
 * exact message texts, so the code's description stands in for it.
 */
const MESSAGES: Record<string, string> = {
  fulfilled: 'The Spot request is active, and Amazon EC2 is launching your Spot Instances.',
  'marked-for-termination': 'The Spot Instance is marked for termination.',
  'instance-terminated-no-capacity': 'Your instance was terminated due to standard capacity management processes.',
  'instance-terminated-by-price': 'Your instance was terminated because the Spot price exceeded your maximum price.',
  'instance-terminated-by-user': 'You terminated a Spot Instance that had been fulfilled.',
};

/**
 * Request state for a status code of a one-time request (fleet spot requests are one-time), from the
 * Fulfilled and Fulfilled-terminal tables of "State changes for a Spot request"
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instances-request-status-lifecycle.html):
 * `marked-for-termination` → active; `instance-terminated-*` → closed, also while the instance still
 * runs its two-minute notice (note † on the status page).
 */
function requestState(code: string): string {
  return code === 'fulfilled' || code.startsWith('marked-for-') ? 'active' : 'closed';
}

/** The status code and its update time for a spot instance, as of now. */
export function spotStatus(cloud: FakeCloud, instance: FakeInstance): { code: string; updateTime: number } {
  const { state } = cloud.refresh(instance);
  const live = state === 'pending' || state === 'running';
  if (instance.interruptionNoticeAt !== undefined) {
    const code = instance.interruptionCode ?? 'instance-terminated-no-capacity';
    // A `marked-for-*` status lasts while the instance runs; once EC2 has terminated it for capacity
    // the docs only list `instance-terminated-*` codes, so it becomes instance-terminated-no-capacity.
    if (!live && code.startsWith('marked-for-')) return { code: 'instance-terminated-no-capacity', updateTime: instance.since };
    return { code, updateTime: instance.interruptionNoticeAt };
  }
  return live ? { code: 'fulfilled', updateTime: instance.launchTime } : { code: 'instance-terminated-by-user', updateTime: instance.since };
}

/** DescribeSpotInstanceRequests: one one-time request per spot instance (fleets and RunInstances alike). */
export function describeSpotInstanceRequests(cloud: FakeCloud, params: URLSearchParams): string {
  const ids = list(params, 'SpotInstanceRequestId');
  const spot = [...cloud.instances.values()].filter((instance) => instance.spotInstanceRequestId && cloud.isVisible(instance));
  const found = ids.length > 0 ? ids.map((id) => spot.find((instance) => instance.spotInstanceRequestId === id)) : spot;
  const unknown = ids.filter((_, index) => !found[index]);
  if (unknown.length > 0) throw new QueryError('InvalidSpotInstanceRequestID.NotFound', `The spot instance request ID '${unknown[0]}' does not exist`);
  return itemSet('spotInstanceRequestSet', found as FakeInstance[], (instance) => {
    const status = spotStatus(cloud, instance);
    return (
      element('createTime', iso(instance.launchTime)) +
      element('instanceId', instance.instanceId) +
      element('launchedAvailabilityZone', instance.zone) +
      element('spotInstanceRequestId', instance.spotInstanceRequestId) +
      element('state', requestState(status.code)) +
      wrap('status', element('code', status.code) + element('message', MESSAGES[status.code] ?? status.code) + element('updateTime', iso(status.updateTime))) +
      element('type', 'one-time') +
      element('instanceInterruptionBehavior', 'terminate')
    );
  });
}
