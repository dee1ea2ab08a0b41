import type { ServiceIdentifier } from 'inversify';

/** The current time; a port so tests and the simulated cloud can control it. */
export interface Clock {
  /** Epoch milliseconds. Never throws. */
  now(): number;
}

export const Clock: ServiceIdentifier<Clock> = Symbol.for('Clock');
