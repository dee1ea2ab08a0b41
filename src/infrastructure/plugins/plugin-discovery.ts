import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { PROVIDER_API_VERSION } from '../../plugin/provider-plugin.js';

/** A provider package as its package.json declares it, not loaded. */
export interface PackageCandidate {
  packageName: string;
  version: string;
  /** The package's dir. */
  dir: string;
  /** The module to import, relative to dir. */
  entry: string;
  /** From `hostfactory.provider`; absent for a package named in PROVIDER_TYPE that declares nothing. */
  manifest?: { id: string; apiVersion: number };
}

/** A package that declares itself a provider and is not used, with why. */
export interface Refusal {
  packageName: string;
  dir: string;
  reason: string;
}

/** Provider ids and package names: lower case letters, digits, `-`, `.`, `_` (npm's rule). */
export const PROVIDER_ID = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * The node_modules dirs searched for provider packages, first wins: every entry of
 * HOSTFACTORY_PLUGIN_PATH (a node_modules dir, or a dir holding one, separated as PATH is), then
 * this install's own node_modules, then the node_modules this install itself sits in (a global or
 * side-by-side install). Dirs that do not exist are left out.
 */
export function pluginSearchDirs(installRoot: string, env: NodeJS.ProcessEnv): string[] {
  const extra = (env.HOSTFACTORY_PLUGIN_PATH ?? '')
    .split(delimiter)
    .filter((entry) => entry.trim() !== '')
    .map((entry) => (existsSync(join(entry, 'node_modules')) ? join(entry, 'node_modules') : entry));
  const parent = dirname(installRoot);
  const around = basename(parent) === 'node_modules' ? parent : basename(dirname(parent)) === 'node_modules' ? dirname(parent) : undefined;
  const dirs = [...extra, join(installRoot, 'node_modules'), ...(around ? [around] : [])].map((dir) => resolve(dir));
  return [...new Set(dirs)].filter((dir) => existsSync(dir));
}

/** The packages of one node_modules dir (scoped ones included), as dirs, in name order. */
async function packageDirs(nodeModules: string): Promise<string[]> {
  const names = (await readdir(nodeModules).catch(() => [] as string[])).sort();
  const nested = await Promise.all(
    names.map(async (name) => {
      if (name.startsWith('.')) return [];
      if (!name.startsWith('@')) return [join(nodeModules, name)];
      return (await readdir(join(nodeModules, name)).catch(() => [] as string[])).sort().map((inner) => join(nodeModules, name, inner));
    }),
  );
  return nested.flat();
}

interface PackageJson {
  name?: unknown;
  version?: unknown;
  main?: unknown;
  hostfactory?: { provider?: { id?: unknown; apiVersion?: unknown; main?: unknown } };
}

async function readPackageJson(dir: string): Promise<PackageJson | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}

/** The candidate in `dir`, a refusal when its declaration is unusable, undefined when it declares nothing and is not asked for. */
export async function readCandidate(dir: string, asked = false): Promise<PackageCandidate | Refusal | undefined> {
  const json = await readPackageJson(dir);
  if (!json) return undefined;
  const declared = json.hostfactory?.provider;
  if (!declared && !asked) return undefined;
  const packageName = typeof json.name === 'string' ? json.name : basename(dir);
  const version = typeof json.version === 'string' ? json.version : '0.0.0';
  const main = declared?.main ?? json.main;
  const entry = typeof main === 'string' ? main : 'index.js';
  if (!declared) return { packageName, version, dir, entry };
  const { id, apiVersion } = declared;
  if (typeof id !== 'string' || !PROVIDER_ID.test(id)) {
    return { packageName, dir, reason: `hostfactory.provider.id ${JSON.stringify(id)} is not a provider id (lower case letters, digits, . _ -)` };
  }
  if (apiVersion !== PROVIDER_API_VERSION) {
    return { packageName, dir, reason: apiMismatch(packageName, apiVersion) };
  }
  return { packageName, version, dir, entry, manifest: { id, apiVersion } };
}

export function apiMismatch(what: string, apiVersion: unknown): string {
  return `${what} is written for provider API version ${JSON.stringify(apiVersion ?? null)}; this HostFactory provider has API version ${PROVIDER_API_VERSION}`;
}

export function isRefusal(found: PackageCandidate | Refusal | undefined): found is Refusal {
  return found !== undefined && 'reason' in found;
}

/** Every package of `dirs` with a `hostfactory.provider` entry, or why it is refused; reads package.json files only. */
export async function scanPackages(dirs: readonly string[]): Promise<Array<PackageCandidate | Refusal>> {
  const found: Array<PackageCandidate | Refusal> = [];
  for (const nodeModules of dirs) {
    const candidates = await Promise.all((await packageDirs(nodeModules)).map((dir) => readCandidate(dir)));
    for (const candidate of candidates) if (candidate) found.push(candidate);
  }
  return found;
}

/** The dir of package `packageName` in the first of `dirs` that has it. */
export function findPackage(dirs: readonly string[], packageName: string): string | undefined {
  return dirs.map((nodeModules) => join(nodeModules, ...packageName.split('/'))).find((dir) => existsSync(join(dir, 'package.json')));
}
