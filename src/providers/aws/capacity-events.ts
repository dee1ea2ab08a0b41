import type { MachinePriceType } from '../../domain/machine.js';
import { distinctOfferings, type Offering } from '../../domain/offering.js';

/**
 * Pools out of capacity named in the free text that request/maintain fleets and Auto Scaling groups
 * leave behind (they fail asynchronously, after the launch call answered).
 *
 * - EC2 Fleet and Spot Fleet history (DescribeFleetHistory, DescribeSpotFleetRequestHistory):
 *   `information` events (EC2 Fleet: `service-error`) such as `launchSpecTemporarilyBlacklisted`
 *   ("The configuration is not valid and several attempts to launch instances have failed. For more
 *   information, see the description of the event") describe the launch specification as
 *   "<instance type>, <AMI>, <platform>, <zone>, <reason>" — EC2 User Guide, "EC2 Fleet event types"
 *   (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-fleet-event-types.html) and "Spot Fleet
 *   event types" (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-fleet-event-types.html),
 *   whose `EC2 Fleet Information` example reads "c4.xlarge, ami-0947d2ba12ee1ff75, Linux/UNIX,
 *   us-east-1a, Spot price in … is less than Spot market price $0.0619"; EC2 API Reference,
 *   "EventInformation" (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_EventInformation.html).
 * - Auto Scaling (DescribeScalingActivities): a Failed activity's StatusMessage is EC2's reason, e.g.
 *   "We currently do not have sufficient <instance type> capacity in the Availability Zone you
 *   requested (<requested Availability Zone>). … Launching EC2 instance failed." (Amazon EC2 Auto
 *   Scaling User Guide, "Troubleshoot Amazon EC2 Auto Scaling: EC2 instance launch failures",
 *   https://docs.aws.amazon.com/autoscaling/ec2/userguide/ts-as-instancelaunchfailure.html#ts-as-capacity-1),
 *   and its `Details` is JSON naming the "Subnet ID" and "Availability Zone" (AWS CLI Command
 *   Reference, "describe-scaling-activities", examples).
 *
 * AWS documents these texts by example only, so the reading is lenient: a text names a pool when it
 * carries a capacity error of one pool (the codes of isPoolCapacityError, or EC2's capacity
 * sentences), an instance type and a zone; its market is the one it names (spot / On-Demand), else
 * the resource's only market. Anything else (quota, price, configuration) is not a pool's capacity
 * and is left out, as a text that names no type (Spot's "There is no Spot capacity available that
 * matches your request." in a group of several types).
 */
const CAPACITY = /InsufficientInstanceCapacity|InsufficientCapacity|InsufficientHostCapacity|UnfulfillableCapacity|do not have sufficient \S+ capacity|no (?:spot )?capacity available/i;
const INSTANCE_TYPE = /\b([a-z][a-z0-9-]*\.(?:\d*(?:nano|micro|small|medium|large|xlarge)|metal)(?:-[a-z0-9]+)?)\b/;
const ZONE = /\b([a-z]{2}(?:-[a-z]+)+-\d+[a-z])\b/;

/** A fleet history record or a scaling activity, reduced to what names a pool. */
export interface CapacityEvent {
  /** epoch ms */
  time: number;
  text: string;
  /** The zone the resource says the event happened in, when it says so apart from the text (a scaling activity's Details). */
  zone?: string;
}

/** Events read from a history, and the time up to which AWS says every record was returned (LastEvaluatedTime). */
export interface HistoryRead {
  events: CapacityEvent[];
  /** epoch ms; undefined when AWS did not say. */
  until?: number;
}

/** The markets a fleet or group launches in: both for a mixed one. */
export function marketsOf(onDemandUnits: number, units: number): MachinePriceType[] {
  return [...(onDemandUnits > 0 ? ['ondemand' as const] : []), ...(units - onDemandUnits > 0 ? ['spot' as const] : [])];
}

/** The pool an event's text names as out of capacity; undefined when it names none (see above). */
export function offeringOf(event: CapacityEvent, markets: readonly MachinePriceType[]): Offering | undefined {
  if (!CAPACITY.test(event.text)) return undefined;
  const instanceType = INSTANCE_TYPE.exec(event.text)?.[1];
  const zone = ZONE.exec(event.text)?.[1] ?? event.zone;
  const market = /\bspot\b/i.test(event.text) ? 'spot' : /on-demand/i.test(event.text) ? 'ondemand' : markets.length === 1 ? markets[0] : undefined;
  return instanceType && zone && market ? { instanceType, zone, market } : undefined;
}

/** The pools named by the events newer than `after` (epoch ms), each once. */
export function offeringsAfter(events: readonly CapacityEvent[], after: number, markets: readonly MachinePriceType[]): Offering[] {
  return distinctOfferings(
    events.flatMap((event) => {
      const offering = event.time > after ? offeringOf(event, markets) : undefined;
      return offering ? [offering] : [];
    }),
  );
}

/** The zone in a scaling activity's Details (`{"Subnet ID":"subnet-…","Availability Zone":"us-west-2b"}`); undefined when it is not that JSON. */
export function zoneOfDetails(details: string | undefined): string | undefined {
  if (!details) return undefined;
  try {
    const zone = (JSON.parse(details) as Record<string, unknown>)['Availability Zone'];
    return typeof zone === 'string' ? zone : undefined;
  } catch {
    return undefined;
  }
}
