import type { Offering } from '../../../domain/offering.js';
import { marketsOf, offeringsAfter, type HistoryRead } from '../capacity-events.js';
import { awsReason } from '../ec2/aws-errors.js';
import type { AwsProviderData } from '../provider-data.js';
import type { AwsContext, Observation, ObservedRequest } from './api-handler.js';

/**
 * How often a short fleet's or group's history is read for pools out of capacity: once a minute at
 * most per resource, so a poll of many filling fleets stays one describe per kind. (EC2 Fleet events
 * can be described only up to 30 s after they happen: EC2 API Reference, "DescribeFleetHistory".)
 */
export const CAPACITY_HISTORY_INTERVAL_MS = 60_000;

/** What one read of a history taught: pools newly out of capacity, and the provider data with the read's end (historyReadUntil). */
export interface CapacityLearnt {
  offerings: Offering[];
  data?: AwsProviderData;
}

/**
 * Reads the history of a request's fleet or group for pools out of capacity while the request is not
 * final: when it is `short`, once CAPACITY_HISTORY_INTERVAL_MS has passed since the last read (since
 * its creation the first time); when it is at its target, once, if never read (a fleet that filled
 * from other pools may have met full ones on the way). Only events after the last read count, so a
 * record is reported once; the read's end is kept in the provider data. A failing read is logged
 * and tried again next time: the memory is advice and never fails a poll.
 */
export async function learnCapacity(context: AwsContext, request: ObservedRequest, short: boolean, read: (since: number) => Promise<HistoryRead>): Promise<CapacityLearnt> {
  const { data } = request;
  const since = data.historyReadUntil ?? request.request.createdAt;
  const now = context.clock.now();
  const due = short ? now - since >= CAPACITY_HISTORY_INTERVAL_MS : data.historyReadUntil === undefined;
  if (!due || data.final === true) return { offerings: [] };
  try {
    const history = await read(since);
    const markets = data.onDemandUnits === undefined ? [] : marketsOf(data.onDemandUnits, data.units ?? 0);
    const offerings = offeringsAfter(history.events, since, markets);
    return { offerings, data: { ...data, historyReadUntil: Math.max(since, history.until ?? now) } };
  } catch (error) {
    context.logger.warn({ requestId: request.request.requestId, error: awsReason(error) }, 'history not read for pools out of capacity; tried again next poll');
    return { offerings: [] };
  }
}

/** The observation with what the read taught: its pools, and the read's end kept unless the observation stores provider data of its own (built on the same). */
export function withLearnt(observation: Observation, learnt: CapacityLearnt): Observation {
  const providerData = observation.providerData ?? learnt.data;
  return { ...observation, ...(providerData ? { providerData } : {}), ...(learnt.offerings.length > 0 ? { unavailableOfferings: [...(observation.unavailableOfferings ?? []), ...learnt.offerings] } : {}) };
}
