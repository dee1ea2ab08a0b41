import type { FleetType } from '../../../domain/template.js';
import type { Pool } from '../launch-pools.js';
import type { FleetGateway, FleetInstance } from '../ec2/fleet-gateway.js';
import type { AwsProviderData } from '../provider-data.js';
import type { LaunchContext } from './api-handler.js';

/** What a fleet API answered to its create call. */
export interface FleetCreated {
  id: string;
  /** Instances an instant fleet launched (none for request/maintain fleets). */
  instances: FleetInstance[];
  /** Errors the create call reported for some pools (instant fleets), with the pool when AWS names it. */
  errors: Array<{ code: string; message: string; pool?: Pool }>;
}

/**
 * The small part of EC2 Fleet and Spot Fleet that differs: how a launch is spelled and where the
 * fleet id is kept. Everything else is the shared fleet lifecycle (FleetHandler).
 */
export interface FleetApi {
  readonly gateway: FleetGateway;
  /** Label for messages: `EC2 Fleet`, `spot fleet`. */
  readonly label: string;
  /** The fleet type when the template names none. */
  readonly defaultType: FleetType;
  /** Creates the fleet; `validUntil` is sent only for `request` fleets (maintain fleets maintain until returned). */
  create(launch: LaunchContext, fleetType: FleetType, validUntil: Date | undefined): Promise<FleetCreated>;
  idOf(data: AwsProviderData): string | undefined;
  /** Provider data fields naming the fleet. */
  idData(id: string): Partial<AwsProviderData>;
}
