import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HostFactoryError } from '../../domain/errors.js';
import { PROVIDER_API_VERSION, type ProviderPlugin } from '../../plugin/provider-plugin.js';
import { apiMismatch, findPackage, isRefusal, PROVIDER_ID, readCandidate, scanPackages, type PackageCandidate, type Refusal } from './plugin-discovery.js';

/** A provider that ships in this package, loaded only when used. */
export interface BuiltinProvider {
  id: string;
  load(): Promise<ProviderPlugin<unknown>>;
}

/** A registered provider, not loaded yet. */
export interface ProviderEntry {
  id: string;
  /** `built-in`, or the package name and its dir. */
  source: string;
  /** The package's name and version, known before loading; undefined for built-ins. */
  packageName?: string;
  version?: string;
  load(): Promise<LoadedProvider>;
}

export interface LoadedProvider {
  plugin: ProviderPlugin<unknown>;
  source: string;
}

export interface Discovery {
  providers: ProviderEntry[];
  refused: Refusal[];
  /** The node_modules dirs looked in, in order. */
  searched: string[];
}

const BUILT_IN = 'built-in';

function refused(what: string, reason: string): HostFactoryError {
  return new HostFactoryError('CONFIG_INVALID', `provider ${what} refused: ${reason}`);
}

/** The default export of a provider module, checked against the API before anything of it runs. */
function checkPlugin(value: unknown, what: string, expectedId?: string): ProviderPlugin<unknown> {
  const plugin = value as Partial<ProviderPlugin<unknown>> | undefined;
  const fields = [plugin?.create, plugin?.configSchema].every((field) => typeof field === 'function') && typeof plugin?.version === 'string' && Array.isArray(plugin?.capabilities);
  if (!plugin || typeof plugin.id !== 'string' || !fields) {
    throw refused(what, 'its module does not export a provider plugin (a default export with apiVersion, id, version, capabilities, configSchema and create)');
  }
  if (plugin.apiVersion !== PROVIDER_API_VERSION) throw refused(what, apiMismatch(what, plugin.apiVersion));
  if (!PROVIDER_ID.test(plugin.id)) throw refused(what, `id ${JSON.stringify(plugin.id)} is not a provider id`);
  if (expectedId !== undefined && plugin.id !== expectedId) throw refused(what, `package.json declares id ${expectedId} but the plugin says ${plugin.id}`);
  return plugin as ProviderPlugin<unknown>;
}

async function importPackage(candidate: PackageCandidate): Promise<ProviderPlugin<unknown>> {
  const what = `${candidate.packageName} (${candidate.dir})`;
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(join(candidate.dir, candidate.entry)).href)) as { default?: unknown };
  } catch (error) {
    throw new HostFactoryError('CONFIG_INVALID', `provider ${what} could not be loaded: ${(error as Error).message}`, { cause: error });
  }
  return checkPlugin(module.default, what, candidate.manifest?.id);
}

function packageEntry(candidate: PackageCandidate, id: string): ProviderEntry {
  const source = `${candidate.packageName} (${candidate.dir})`;
  return { id, source, packageName: candidate.packageName, version: candidate.version, load: async () => ({ plugin: await importPackage(candidate), source }) };
}

/**
 * The providers this install can use: the built-ins and the npm packages that declare themselves
 * HostFactory providers (docs/providers.md). Nothing is imported until a provider is loaded.
 */
export class ProviderRegistry {
  constructor(
    private readonly builtins: readonly BuiltinProvider[],
    private readonly searchDirs: readonly string[],
  ) {}

  /**
   * Built-ins and every declared package, reading package.json files only. Refused: an API version
   * other than this one, an id already taken (two packages with one id are both refused; the same
   * package in a later dir is shadowed by the first).
   */
  async discover(): Promise<Discovery> {
    const builtinIds = new Set(this.builtins.map((builtin) => builtin.id));
    const providers: ProviderEntry[] = this.builtins.map((builtin) => ({
      id: builtin.id,
      source: BUILT_IN,
      load: async () => ({ plugin: checkPlugin(await builtin.load(), `built-in ${builtin.id}`, builtin.id), source: BUILT_IN }),
    }));
    const refusedList: Refusal[] = [];
    const byId = new Map<string, PackageCandidate[]>();
    const firstDirOf = new Map<string, string>();
    for (const found of await scanPackages(this.searchDirs)) {
      if (isRefusal(found)) {
        refusedList.push(found);
        continue;
      }
      const shadowing = firstDirOf.get(found.packageName);
      if (shadowing) {
        refusedList.push({ packageName: found.packageName, dir: found.dir, reason: `shadowed by the same package in ${shadowing}` });
        continue;
      }
      firstDirOf.set(found.packageName, found.dir);
      const id = found.manifest!.id;
      if (builtinIds.has(id)) {
        refusedList.push({ packageName: found.packageName, dir: found.dir, reason: `id ${id} is the built-in provider's` });
        continue;
      }
      byId.set(id, [...(byId.get(id) ?? []), found]);
    }
    for (const [id, candidates] of byId) {
      if (candidates.length === 1) {
        providers.push(packageEntry(candidates[0], id));
        continue;
      }
      for (const candidate of candidates) {
        const others = candidates.filter((other) => other !== candidate).map((other) => `${other.packageName} (${other.dir})`);
        refusedList.push({ packageName: candidate.packageName, dir: candidate.dir, reason: `id ${id} is declared by ${others.join(', ')} too` });
      }
    }
    return { providers, refused: refusedList, searched: [...this.searchDirs] };
  }

  /**
   * The provider PROVIDER_TYPE names, loaded: a built-in id (reads no disk), the name of an
   * installed package (reads its package.json only; it needs no `hostfactory.provider` entry), or
   * the id of a discovered package (scans every package.json of the search dirs). Throws
   * CONFIG_INVALID naming the provider and why when it cannot be used.
   */
  async resolve(type: string): Promise<LoadedProvider> {
    const builtin = this.builtins.find((candidate) => candidate.id === type);
    if (builtin) return { plugin: checkPlugin(await builtin.load(), `built-in ${type}`, type), source: BUILT_IN };
    const dir = findPackage(this.searchDirs, type);
    if (dir) return this.loadNamed(type, dir);
    const discovery = await this.discover();
    const entry = discovery.providers.find((candidate) => candidate.id === type);
    if (entry) return entry.load();
    const known = discovery.providers.map((candidate) => candidate.id).join(', ');
    const idRefusals = discovery.refused.filter((candidate) => candidate.reason.includes(`id ${type} `)).map((candidate) => `; ${candidate.packageName}: ${candidate.reason}`);
    throw new HostFactoryError(
      'CONFIG_INVALID',
      `PROVIDER_TYPE ${type}: no provider with that id and no package of that name (registered: ${known}; searched: ${discovery.searched.join(', ') || 'nothing'})${idRefusals.join('')}`,
    );
  }

  /** The package named in PROVIDER_TYPE: no scan, so no other package can make it ambiguous; a built-in's id is still refused. */
  private async loadNamed(packageName: string, dir: string): Promise<LoadedProvider> {
    const candidate = await readCandidate(dir, true);
    if (!candidate) throw refused(`${packageName} (${dir})`, 'its package.json cannot be read');
    if (isRefusal(candidate)) throw refused(`${packageName} (${dir})`, candidate.reason);
    const loaded = await packageEntry(candidate, candidate.manifest?.id ?? packageName).load();
    if (this.builtins.some((builtin) => builtin.id === loaded.plugin.id)) throw refused(loaded.source, `id ${loaded.plugin.id} is the built-in provider's`);
    return loaded;
  }
}
