import type { ServiceIdentifier } from 'inversify';

export type HealthStatus = 'ok' | 'warn' | 'fail';

export interface HealthFinding {
  status: HealthStatus;
  message: string;
  /** A finding about another component than the check's own (the cloud check also reports the `clock`). */
  component?: string;
}

/**
 * One component's check (store, cloud, templates…). Components register theirs by binding this
 * token; `hostfactory health` and the server's `/health` run every one bound.
 */
export interface HealthCheck {
  readonly component: string;
  /** Never throws: a failure is a finding with status `fail`. */
  run(): Promise<HealthFinding[]>;
}

export const HealthCheck: ServiceIdentifier<HealthCheck> = Symbol.for('HealthCheck');
