import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './hostfactory-harness.js';

/** The example out-of-tree provider (examples/provider-plugin). */
export const EXAMPLE_PLUGIN_DIR = join(REPO, 'examples/provider-plugin');
export const EXAMPLE_PLUGIN_PACKAGE = 'hostfactory-provider-static-pool';

export interface PoolHostEntry {
  name: string;
  address: string;
  instanceType?: string;
  zone?: string;
  disabled?: boolean;
  reclaimBy?: string;
}

/** Copies the example plugin into `<root>/node_modules/<package>` and returns that node_modules dir. */
export function copyExamplePlugin(root: string): string {
  const nodeModules = join(root, 'node_modules');
  mkdirSync(nodeModules, { recursive: true });
  cpSync(EXAMPLE_PLUGIN_DIR, join(nodeModules, EXAMPLE_PLUGIN_PACKAGE), { recursive: true });
  return nodeModules;
}

/** `count` hosts of each type, in zone `rack-a`, with distinct names and addresses. */
export function poolHosts(types: Record<string, number>): PoolHostEntry[] {
  let next = 10;
  return Object.entries(types).flatMap(([instanceType, count]) =>
    Array.from({ length: count }, () => {
      next += 1;
      return { name: `node${next}.pool.example`, address: `10.20.0.${next}`, instanceType, zone: 'rack-a' };
    }),
  );
}

export function writeHostsFile(file: string, hosts: readonly PoolHostEntry[]): void {
  writeFileSync(file, JSON.stringify({ hosts }, null, 2));
}
