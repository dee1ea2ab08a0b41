import type { ServiceIdentifier } from 'inversify';

/** How a HostFactory operation ended: `ok`, or the HostFactoryError code it failed with. */
export type Outcome = string;

/**
 * What the provider counts for Prometheus (README, "Metrics"). Every method is cheap and never
 * throws; with metrics off the composition root binds an implementation that records nothing.
 */
export interface Metrics {
  /** One HostFactory operation (script call or server call) and how long it took. */
  operation(operation: string, outcome: Outcome, seconds: number): void;
  /** One cloud API call (`ec2:RunInstances`…) and its answer: `ok` or the cloud's error code. */
  cloudCall(action: string, outcome: Outcome): void;
  /** One store call (`requests.update`…), how long it took, and whether it lost an optimistic race. */
  storeCall(operation: string, seconds: number, conflict: boolean): void;
  /** A host reported to HostFactory as being taken back, by kind of reason. */
  reclaim(reason: string): void;
  /** A request reached a final status. */
  requestFinished(kind: string, status: string): void;
}

export const Metrics: ServiceIdentifier<Metrics> = Symbol.for('Metrics');
