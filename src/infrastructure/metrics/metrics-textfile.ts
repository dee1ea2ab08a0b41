import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../domain/ports/logger.js';
import { withFileLock } from '../files/with-file-lock.js';
import { writeFileAtomic } from '../files/write-file-atomic.js';

interface Family {
  name: string;
  help: string;
  type: string;
  /** Sample name with labels → value, in the order first seen. */
  samples: Map<string, number>;
}

/** The textfile of one provider instance, as node_exporter's textfile collector reads `*.prom` files. */
export function textfileOf(dir: string, providerName: string): string {
  return join(dir, `hostfactory_${providerName.replace(/[^A-Za-z0-9_]/g, '_')}.prom`);
}

/** Parses the text format prom-client writes: `# HELP`, `# TYPE`, then that family's samples. */
export function parseFamilies(text: string): Family[] {
  const families: Family[] = [];
  const helps = new Map<string, string>();
  let current: Family | undefined;
  for (const line of text.split('\n')) {
    const help = /^# HELP (\S+) (.*)$/.exec(line);
    if (help) {
      helps.set(help[1], help[2]);
      continue;
    }
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      current = { name: type[1], help: helps.get(type[1]) ?? '', type: type[2], samples: new Map() };
      families.push(current);
      continue;
    }
    const sample = /^(\S+?(?:\{.*\})?) (\S+)$/.exec(line);
    if (sample && current) current.samples.set(sample[1], Number(sample[2]));
  }
  return families;
}

/** Counters and histograms add up; gauges take `next`'s values; families only in one side are kept. */
export function mergeFamilies(previous: readonly Family[], next: readonly Family[]): Family[] {
  const merged = previous.map((family) => ({ ...family, samples: new Map(family.samples) }));
  for (const family of next) {
    const known = merged.find((candidate) => candidate.name === family.name);
    if (!known || known.type !== family.type) {
      if (known) merged.splice(merged.indexOf(known), 1);
      merged.push({ ...family, samples: new Map(family.samples) });
      continue;
    }
    if (family.type === 'gauge') {
      known.samples = new Map(family.samples);
      continue;
    }
    for (const [key, value] of family.samples) known.samples.set(key, (known.samples.get(key) ?? 0) + value);
  }
  return merged;
}

export function renderFamilies(families: readonly Family[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
    for (const [key, value] of family.samples) lines.push(`${key} ${value}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Adds one process's metrics to the provider instance's textfile in `dir`, under a lock so that
 * concurrent script calls all count; written to a temp file and renamed, so node_exporter never
 * reads half a file.
 */
export async function mergeIntoTextfile(dir: string, providerName: string, text: string, logger?: Logger): Promise<void> {
  const file = textfileOf(dir, providerName);
  await withFileLock(file, { what: 'the metrics textfile', staleMs: 10_000, retries: { retries: 50, minTimeout: 20, maxTimeout: 200 }, logger }, async () => {
    const previous = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    await writeFileAtomic(file, renderFamilies(mergeFamilies(parseFamilies(previous), parseFamilies(text))));
  });
}
