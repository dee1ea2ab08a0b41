import type { Machine } from '../../src/domain/machine.js';
import type { Clock } from '../../src/domain/ports/clock.js';
import type { Request } from '../../src/domain/request.js';

/** What the in-memory repositories share: pruning a request also removes its machines. */
export interface InMemoryStoreState {
  readonly requests: Map<string, Request>;
  readonly machines: Map<string, Machine>;
  readonly clock: Clock;
}

export function createInMemoryStoreState(clock: Clock = { now: () => Date.now() }): InMemoryStoreState {
  return { requests: new Map(), machines: new Map(), clock };
}

/** Stored values are copies: a caller mutating what it passed in or got back changes nothing stored. */
export function copy<T>(value: T): T {
  return structuredClone(value);
}
