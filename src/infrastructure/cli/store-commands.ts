import { inject, injectable } from 'inversify';
import { copyStore, SourceTimestampClock, type CopyCounts, type CopyOptions } from '../../application/copy-store.js';
import { HostFactoryError } from '../../domain/errors.js';
import { Clock } from '../../domain/ports/clock.js';
import { RequestRepository } from '../../domain/ports/request-repository.js';
import { openStore } from '../storage/open-store.js';
import { parseStoreUrl } from '../storage/store-url.js';
import type { CommandOutput } from './people-commands.js';

function described(counts: CopyCounts): string {
  const { inSource, added, updated, unchanged, newerInTarget, onlyInTarget, pruned } = counts;
  return `${inSource} in source: ${added} added, ${updated} updated, ${unchanged} unchanged, ${newerInTarget} newer in target kept; ${onlyInTarget} only in target, ${pruned} of them pruned`;
}

const DURATION = /^(\d+)\s*(s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `hostfactory store init | copy | prune`: operating the state store. */
@injectable()
export class StoreCommands {
  constructor(
    @inject(RequestRepository) private readonly requests: RequestRepository,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  /** Creates the tables (migrations, DynamoDB tables) of the store at `url`. */
  async init(url: string): Promise<CommandOutput> {
    const location = parseStoreUrl(url);
    if (location.kind === 'dynamodb') {
      const { createDynamoDbTables } = await import('../storage/dynamodb/open-dynamodb-store.js');
      await createDynamoDbTables(location);
    }
    const store = await openStore(url);
    await store.close();
    return { data: { store: url, kind: location.kind, ready: true }, text: `${location.kind} store ready: ${url}` };
  }

  /** Brings the store at `toUrl` up to the one at `fromUrl` (see copyStore); re-runnable. */
  async copy(fromUrl: string, toUrl: string, options: CopyOptions): Promise<CommandOutput> {
    if (fromUrl === toUrl) throw new HostFactoryError('INVALID_INPUT', '--from and --to name the same store');
    const from = await openStore(fromUrl);
    try {
      const targetClock = new SourceTimestampClock();
      const to = await openStore(toUrl, { clock: targetClock });
      try {
        const report = await copyStore(from, to, targetClock, options);
        return { data: report, text: `copied and verified\nrequests: ${described(report.requests)}\nmachines: ${described(report.machines)}` };
      } finally {
        await to.close();
      }
    } finally {
      await from.close();
    }
  }

  async prune(olderThan: string): Promise<CommandOutput> {
    const match = DURATION.exec(olderThan.trim());
    if (!match) throw new HostFactoryError('INVALID_INPUT', `--older-than takes a duration such as 30d, 12h or 90m, got "${olderThan}"`);
    const cutoff = this.clock.now() - Number(match[1]) * UNIT_MS[match[2]];
    const pruned = await this.requests.pruneFinished(cutoff);
    return { data: { pruned, before: new Date(cutoff).toISOString() }, text: `pruned ${pruned} finished request(s) created before ${new Date(cutoff).toISOString()}` };
  }
}
