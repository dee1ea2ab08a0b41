// Fills a store with finished history, fast: batch inserts straight through knex, in the very row
// shape the knex repositories write (knex-rows.js), into tables migrated by openStore.
import { createKnexDatabase, postgresLocation } from '../dist/infrastructure/storage/knex/create-knex-database.js';
import { machineToRow, requestToRow } from '../dist/infrastructure/storage/knex/knex-rows.js';
import { parseStoreUrl } from '../dist/infrastructure/storage/store-url.js';

const ROWS_PER_STATEMENT = { sqlite: 50, postgres: 1000 };
const DAY_MS = 86_400_000;

/** The `index`th finished acquire request (about 40 days old) and its one machine, terminated. */
function finished(index, now) {
  const createdAt = now - 40 * DAY_MS + index * 1000;
  const requestId = `req-bench-${String(index).padStart(8, '0')}`;
  const failed = index % 10 === 0;
  const request = {
    requestId,
    kind: 'acquire',
    status: failed ? 'complete_with_error' : 'complete',
    templateId: 'OnDemand-Small',
    machineCount: 1,
    message: failed ? 'bench: launch failed' : '',
    providerName: 'sim',
    providerData: { simReservationId: `r-bench${index}` },
    createdAt,
    updatedAt: createdAt + 60_000,
    version: 3,
  };
  const octets = `${(index >> 8) & 255}.${index & 255}`;
  const machine = {
    machineId: `i-bench${String(index).padStart(10, '0')}`,
    name: `ip-10-9-${octets.replace('.', '-')}.ec2.internal`,
    requestId,
    templateId: 'OnDemand-Small',
    returnRequestId: `ret-bench-${String(index).padStart(8, '0')}`,
    status: 'terminated',
    privateIpAddress: `10.9.${octets}`,
    publicIpAddress: null,
    launchTime: Math.floor(createdAt / 1000),
    instanceType: 't3.medium',
    priceType: 'ondemand',
    weight: 1,
    instanceTags: { team: 'bench' },
    cloudHostId: null,
    version: 4,
    updatedAt: createdAt + 3_600_000,
  };
  return { request, machine };
}

/** Inserts `count` finished requests with a terminated machine each into the knex store at `url`. */
export async function seedFinishedHistory(url, count) {
  const parsed = parseStoreUrl(url);
  const location = parsed.kind === 'sqlite' ? { kind: 'sqlite', file: parsed.file } : postgresLocation(parsed.connectionString);
  const db = createKnexDatabase(location);
  const chunk = ROWS_PER_STATEMENT[parsed.kind];
  const now = Date.now();
  try {
    await db.transaction(async (trx) => {
      for (let start = 0; start < count; start += 5_000) {
        const rows = Array.from({ length: Math.min(5_000, count - start) }, (_, i) => finished(start + i, now));
        for (let at = 0; at < rows.length; at += chunk) {
          const slice = rows.slice(at, at + chunk);
          await trx('requests').insert(slice.map((row) => requestToRow(row.request)));
          await trx('machines').insert(slice.map((row) => machineToRow(row.machine)));
        }
      }
    });
    // PostgreSQL's autovacuum would analyze after such a load anyway; do it now, deterministically.
    // SQLite as shipped never runs ANALYZE: see analyzeStore.
    if (parsed.kind === 'postgres') await db.raw('analyze requests; analyze machines');
  } finally {
    await db.destroy();
  }
}

/** Runs ANALYZE on the knex store at `url` (the statistics a DBA's `sqlite3 file.db ANALYZE` would leave). */
export async function analyzeStore(url) {
  const parsed = parseStoreUrl(url);
  const db = createKnexDatabase(parsed.kind === 'sqlite' ? { kind: 'sqlite', file: parsed.file } : postgresLocation(parsed.connectionString));
  try {
    await db.raw('analyze');
  } finally {
    await db.destroy();
  }
}
