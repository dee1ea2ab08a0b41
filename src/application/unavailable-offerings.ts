import { inject, injectable } from 'inversify';
import { isHostFactoryError } from '../domain/errors.js';
import { distinctOfferings, type Offering, type RememberedOffering } from '../domain/offering.js';
import { CapacityMemory } from '../domain/ports/capacity-memory.js';
import { Clock } from '../domain/ports/clock.js';
import { Logger } from '../domain/ports/logger.js';

/** CAPACITY_MEMORY_TTL_SEC: how long an "insufficient capacity" answer keeps a pool out of launches; 0 turns the memory off. */
export class CapacityMemorySettings {
  constructor(readonly ttlSec = 180) {}
}

/**
 * The application's side of the CapacityMemory port: what the clouds reported out of capacity is
 * remembered for the TTL, and launches are told what is remembered. Every cloud provider gets the
 * memory by reporting `unavailableOfferings`; none of them talks to the store. The memory is
 * advice: a store that is busy or fails here is logged and the operation goes on without it, but
 * reading a store that is set up wrong (CONFIG_INVALID, e.g. a DynamoDB table missing until
 * `hostfactory store init`, or ACCESS_DENIED) fails the operation, so the administrator hears of
 * it. Remembering never throws: it follows a launch whose hosts must be recorded whatever happens.
 */
@injectable()
export class UnavailableOfferings {
  constructor(
    @inject(CapacityMemory) private readonly memory: CapacityMemory,
    @inject(CapacityMemorySettings) private readonly settings: CapacityMemorySettings,
    @inject(Clock) private readonly clock: Clock,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  /**
   * Pools remembered out of capacity now; none when the memory is off or the store is busy or
   * failing. Throws CONFIG_INVALID or ACCESS_DENIED when the store is set up wrong.
   */
  async current(): Promise<RememberedOffering[]> {
    if (this.settings.ttlSec <= 0) return [];
    try {
      return await this.memory.unavailable(this.clock.now());
    } catch (error) {
      if (isMisconfigured(error)) throw error;
      this.logger.warn({ err: error }, 'capacity memory not read; going on without it');
      return [];
    }
  }

  /** Remembers these pools as out of capacity for the TTL, from now. Never throws (a failure is logged). */
  async note(offerings: readonly Offering[]): Promise<void> {
    if (this.settings.ttlSec <= 0 || offerings.length === 0) return;
    const pools = distinctOfferings(offerings).map(({ instanceType, zone, market }) => ({ instanceType, zone, market }));
    const until = this.clock.now() + this.settings.ttlSec * 1000;
    try {
      await this.memory.remember(pools, until);
      this.logger.info({ offerings: pools, until: new Date(until).toISOString() }, 'pools out of capacity remembered');
    } catch (error) {
      if (isMisconfigured(error)) this.logger.error({ offerings: pools, err: error }, 'pools out of capacity not remembered: the store is set up wrong');
      else this.logger.warn({ offerings: pools, err: error }, 'pools out of capacity not remembered');
    }
  }
}

function isMisconfigured(error: unknown): boolean {
  return isHostFactoryError(error) && (error.code === 'CONFIG_INVALID' || error.code === 'ACCESS_DENIED');
}
