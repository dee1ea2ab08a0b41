import type { Clock } from '../../domain/ports/clock.js';
import type { Logger } from '../../domain/ports/logger.js';
import type { StoreHandle } from './store-handle.js';
import { parseStoreUrl } from './store-url.js';

export interface OpenStoreOptions {
  /** Stamps `updatedAt` on updates; the system clock by default. */
  clock?: Clock;
  /** Receives the database driver's warnings (knex stores); silent by default. */
  logger?: Logger;
}

/**
 * Opens the store a URL names (see parseStoreUrl), ready to use: the knex stores are migrated to
 * the latest schema. Each adapter module is imported only when chosen, so a SQLite install never
 * loads pg or the DynamoDB SDK. Throws CONFIG_INVALID for a bad URL.
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<StoreHandle> {
  const location = parseStoreUrl(url);
  switch (location.kind) {
    case 'sqlite':
    case 'postgres': {
      const { openKnexStore } = await import('./knex/open-knex-store.js');
      return openKnexStore({ url, clock: options.clock, logger: options.logger });
    }
    case 'json': {
      const { openJsonStore } = await import('./json/open-json-store.js');
      return openJsonStore({ dir: location.dir }, { clock: options.clock });
    }
    case 'dynamodb': {
      const { openDynamoDbStore } = await import('./dynamodb/open-dynamodb-store.js');
      const { tablePrefix, region, endpoint } = location;
      return openDynamoDbStore({ tablePrefix, region, endpoint }, { clock: options.clock });
    }
  }
}
