import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pluginSearchDirs } from '../../../src/infrastructure/plugins/plugin-discovery.js';
import { ProviderRegistry, type BuiltinProvider } from '../../../src/infrastructure/plugins/provider-registry.js';
import { PROVIDER_API_VERSION, type ProviderPlugin } from '../../../src/plugin/provider-plugin.js';

const builtin = (id: string): BuiltinProvider => ({
  id,
  load: async () => ({ apiVersion: PROVIDER_API_VERSION, id, version: '0.1.0', capabilities: [], configSchema: (z) => z.unknown(), create: () => ({ cloud: {} as never }) }) as ProviderPlugin<unknown>,
});

interface FakePackage {
  name: string;
  /** `hostfactory.provider` of its package.json; none: the package declares nothing. */
  manifest?: Record<string, unknown>;
  /** What its module's plugin says (default: the manifest's id and API version). */
  plugin?: { id?: string; apiVersion?: number };
  /** The module's whole source instead. */
  source?: string;
}

describe('ProviderRegistry', () => {
  let root: string;
  let nodeModules: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'hf-registry-'));
    nodeModules = join(root, 'node_modules');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function install(pkg: FakePackage, into = nodeModules): string {
    const dir = join(into, ...pkg.name.split('/'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: pkg.name, version: '2.3.4', type: 'module', main: 'plugin.js', ...(pkg.manifest ? { hostfactory: { provider: pkg.manifest } } : {}) }));
    const id = pkg.plugin?.id ?? pkg.manifest?.id;
    const apiVersion = pkg.plugin?.apiVersion ?? pkg.manifest?.apiVersion;
    writeFileSync(
      join(dir, 'plugin.js'),
      pkg.source ??
      `globalThis.loadedPlugins = [...(globalThis.loadedPlugins ?? []), ${JSON.stringify(pkg.name)}];\n` +
        `export default { apiVersion: ${JSON.stringify(apiVersion)}, id: ${JSON.stringify(id)}, version: '2.3.4', capabilities: ['reclaims'], configSchema: (z) => z.object({}), create: () => ({ cloud: {} }) };\n`,
    );
    return dir;
  }
  const loadedPlugins = () => (globalThis as { loadedPlugins?: string[] }).loadedPlugins ?? [];
  beforeEach(() => {
    (globalThis as { loadedPlugins?: string[] }).loadedPlugins = [];
  });

  it('discovers packages that declare a hostfactory.provider entry, scoped ones too, without loading them', async () => {
    install({ name: 'hostfactory-provider-one', manifest: { id: 'one', apiVersion: PROVIDER_API_VERSION } });
    install({ name: '@acme/hostfactory-provider-two', manifest: { id: 'two', apiVersion: PROVIDER_API_VERSION } });
    install({ name: 'left-pad' });
    const discovery = await new ProviderRegistry([builtin('sim')], [nodeModules]).discover();
    expect(discovery.providers.map((entry) => [entry.id, entry.packageName, entry.version])).toEqual([
      ['sim', undefined, undefined],
      ['two', '@acme/hostfactory-provider-two', '2.3.4'],
      ['one', 'hostfactory-provider-one', '2.3.4'],
    ]);
    expect(discovery.refused).toEqual([]);
    expect(loadedPlugins(), 'discovery reads package.json files only').toEqual([]);
  });

  it('loads only the provider asked for, by id or by package name', async () => {
    install({ name: 'hostfactory-provider-one', manifest: { id: 'one', apiVersion: PROVIDER_API_VERSION } });
    install({ name: '@acme/hostfactory-provider-two', manifest: { id: 'two', apiVersion: PROVIDER_API_VERSION } });
    const registry = new ProviderRegistry([builtin('sim')], [nodeModules]);
    const loaded = await registry.resolve('one');
    expect(loaded.plugin.id).toBe('one');
    expect(loaded.source).toBe(`hostfactory-provider-one (${join(nodeModules, 'hostfactory-provider-one')})`);
    expect(loadedPlugins()).toEqual(['hostfactory-provider-one']);
    expect((await registry.resolve('@acme/hostfactory-provider-two')).plugin.id).toBe('two');
  });

  it('uses a package named in PROVIDER_TYPE even when it declares nothing', async () => {
    install({ name: '@acme/hostfactory-provider-x', plugin: { id: 'x', apiVersion: PROVIDER_API_VERSION } });
    const registry = new ProviderRegistry([builtin('sim')], [nodeModules]);
    expect((await registry.discover()).providers.map((entry) => entry.id)).toEqual(['sim']);
    expect((await registry.resolve('@acme/hostfactory-provider-x')).plugin.id).toBe('x');
  });

  it('refuses a package written for another API version, naming both versions, in discovery and when asked for', async () => {
    install({ name: 'hostfactory-provider-old', manifest: { id: 'old', apiVersion: 0 } });
    const registry = new ProviderRegistry([], [nodeModules]);
    const { refused, providers } = await registry.discover();
    expect(providers).toEqual([]);
    expect(refused).toEqual([expect.objectContaining({ packageName: 'hostfactory-provider-old', reason: expect.stringMatching(/API version 0; .*API version 1/) })]);
    await expect(registry.resolve('hostfactory-provider-old')).rejects.toThrow(/provider API version 0; this HostFactory provider has API version 1/);
    expect(loadedPlugins()).toEqual([]);
  });

  it('refuses a plugin whose module says another API version than its package.json', async () => {
    install({ name: 'hostfactory-provider-liar', manifest: { id: 'liar', apiVersion: PROVIDER_API_VERSION }, plugin: { apiVersion: 7 } });
    await expect(new ProviderRegistry([], [nodeModules]).resolve('liar')).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/version 7; .*version 1/) });
  });

  it('refuses a module that exports no plugin, naming what a plugin must export', async () => {
    install({ name: 'hostfactory-provider-empty', manifest: { id: 'empty', apiVersion: PROVIDER_API_VERSION }, source: 'export default { id: "empty", apiVersion: 1 };\n' });
    await expect(new ProviderRegistry([], [nodeModules]).resolve('empty')).rejects.toThrow(/hostfactory-provider-empty .* refused: its module does not export a provider plugin/);
  });

  it('refuses two packages with one id, both, and a package that takes a built-in id', async () => {
    install({ name: 'hostfactory-provider-a', manifest: { id: 'same', apiVersion: PROVIDER_API_VERSION } });
    install({ name: 'hostfactory-provider-b', manifest: { id: 'same', apiVersion: PROVIDER_API_VERSION } });
    install({ name: 'hostfactory-provider-fake-sim', manifest: { id: 'sim', apiVersion: PROVIDER_API_VERSION } });
    const registry = new ProviderRegistry([builtin('sim')], [nodeModules]);
    const discovery = await registry.discover();
    expect(discovery.providers.map((entry) => entry.id)).toEqual(['sim']);
    expect(Object.fromEntries(discovery.refused.map((refusal) => [refusal.packageName, refusal.reason]))).toEqual({
      'hostfactory-provider-a': expect.stringContaining('id same is declared by hostfactory-provider-b'),
      'hostfactory-provider-b': expect.stringContaining('id same is declared by hostfactory-provider-a'),
      'hostfactory-provider-fake-sim': 'id sim is the built-in provider\'s',
    });
    await expect(registry.resolve('same')).rejects.toThrow(/no provider with that id.*id same is declared by/);
    expect((await registry.resolve('sim')).source).toBe('built-in');
  });

  it('refuses a package named in PROVIDER_TYPE whose plugin takes the id of a built-in', async () => {
    install({ name: '@acme/other-sim', plugin: { id: 'sim', apiVersion: PROVIDER_API_VERSION } });
    await expect(new ProviderRegistry([builtin('sim')], [nodeModules]).resolve('@acme/other-sim')).rejects.toThrow(/id sim is the built-in provider's/);
  });

  it('searches HOSTFACTORY_PLUGIN_PATH first; the same package in a later dir is shadowed', async () => {
    const extra = join(root, 'extra');
    install({ name: 'hostfactory-provider-one', manifest: { id: 'one', apiVersion: PROVIDER_API_VERSION } }, join(extra, 'node_modules'));
    install({ name: 'hostfactory-provider-one', manifest: { id: 'one', apiVersion: PROVIDER_API_VERSION } });
    const dirs = pluginSearchDirs(root, { HOSTFACTORY_PLUGIN_PATH: extra });
    expect(dirs).toEqual([join(extra, 'node_modules'), nodeModules]);
    const discovery = await new ProviderRegistry([], dirs).discover();
    expect(discovery.providers.map((entry) => entry.source)).toEqual([`hostfactory-provider-one (${join(extra, 'node_modules', 'hostfactory-provider-one')})`]);
    expect(discovery.refused).toEqual([expect.objectContaining({ dir: join(nodeModules, 'hostfactory-provider-one'), reason: expect.stringContaining('shadowed') })]);
  });

  it('a built-in id reads no disk, and an unknown type names what is registered and where it looked', async () => {
    const registry = new ProviderRegistry([builtin('sim')], ['/nonexistent-hostfactory-plugins']);
    expect((await registry.resolve('sim')).plugin.id).toBe('sim');
    await expect(registry.resolve('nimbus')).rejects.toThrow('PROVIDER_TYPE nimbus: no provider with that id and no package of that name (registered: sim; searched: /nonexistent-hostfactory-plugins)');
  });
});
