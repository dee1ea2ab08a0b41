import type { Command } from 'commander';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { toHostFactoryError } from '../../domain/errors.js';
import type { ProviderRegistry } from '../plugins/provider-registry.js';
import { resolveRuntimeSettings, type RuntimeOverrides } from '../config/runtime-settings.js';
import type { Io, OpenSession } from './cli-session.js';
import { EXIT_FAILED, EXIT_OK } from './exit-codes.js';
import type { CommandOutput } from './people-commands.js';
import { formatTable } from './table.js';

/** Runs a command that needs no session, prints its output, and sets the exit code. */
type Direct = (work: () => Promise<CommandOutput>) => Promise<void>;

const CONFIG_SUFFIX = 'prov_config.json';

/** `providers list|discover|status`: the registry, what discovery found and refused, the conf dir's instances and their health. */
export function addProvidersCommands(program: Command, registry: ProviderRegistry, openSession: OpenSession, overrides: () => RuntimeOverrides, io: Io, direct: Direct): void {
  const providers = program.command('providers').description('cloud providers: built in and installed as npm packages (docs/providers.md)');
  providers
    .command('list')
    .description('registered providers: where each comes from, its version and capabilities')
    .action(() => direct(() => listOutput(registry)));
  providers
    .command('discover')
    .description('where provider packages were looked for, what was found, and why any was refused')
    .action(() => direct(() => discoverOutput(registry)));
  providers
    .command('status')
    .description('every provider instance configured in the conf dir (<name>prov_config.json) and its health; exit 1 when one fails')
    .action(() => direct(() => statusOutput(openSession, io.env, overrides())));
}

async function listOutput(registry: ProviderRegistry): Promise<CommandOutput> {
  const { providers } = await registry.discover();
  const rows = await Promise.all(
    providers.map(async (entry) => {
      try {
        const { plugin } = await entry.load();
        return { id: entry.id, version: plugin.version, source: entry.source, capabilities: [...plugin.capabilities], description: plugin.description ?? '' };
      } catch (error) {
        return { id: entry.id, version: entry.version ?? '?', source: entry.source, capabilities: [], description: '', error: toHostFactoryError(error).message };
      }
    }),
  );
  const table = formatTable(
    ['ID', 'VERSION', 'SOURCE', 'CAPABILITIES', 'DESCRIPTION'],
    rows.map((row) => [row.id, row.version, row.source, row.capabilities.join(',') || '-', 'error' in row ? `not loadable: ${row.error}` : row.description]),
  );
  return { data: { providers: rows }, text: table };
}

async function discoverOutput(registry: ProviderRegistry): Promise<CommandOutput> {
  const discovery = await registry.discover();
  const found = discovery.providers.map((entry) => ({ id: entry.id, source: entry.source, version: entry.version }));
  const lines = [
    `searched: ${discovery.searched.join(', ') || '(no node_modules dir found)'}`,
    '',
    formatTable(['ID', 'VERSION', 'SOURCE'], found.map((entry) => [entry.id, entry.version ?? '(this package)', entry.source])),
  ];
  if (discovery.refused.length > 0) {
    lines.push('', 'refused:', formatTable(['PACKAGE', 'DIR', 'REASON'], discovery.refused.map((refusal) => [refusal.packageName, refusal.dir, refusal.reason])));
  }
  return { data: { searched: discovery.searched, found, refused: discovery.refused }, text: lines.join('\n') };
}

interface InstanceStatus {
  instance: string;
  provider?: string;
  source?: string;
  status: 'ok' | 'degraded' | 'fail';
  message: string;
}

const instancesIn = async (dir: string): Promise<string[]> =>
  (await readdir(dir).catch(() => [] as string[])).filter((file) => file.endsWith(CONFIG_SUFFIX)).map((file) => file.slice(0, -CONFIG_SUFFIX.length));

/**
 * The instances configured where this one's config is, each with the overrides that open it: the
 * `<name>prov_config.json` files of the conf dir, and under HostFactory's layout (HF_CONFDIR, no
 * HF_PROVIDER_CONFDIR) every `$HF_CONFDIR/providers/<name>/<name>prov_config.json`, opened with
 * its own dirs.
 */
async function configuredInstances(env: NodeJS.ProcessEnv, overrides: RuntimeOverrides): Promise<Array<{ name: string; overrides: RuntimeOverrides }>> {
  const confDir = resolveRuntimeSettings(env, overrides).confDir;
  const found = new Map<string, RuntimeOverrides>((await instancesIn(confDir)).map((name) => [name, { ...overrides, confDir, providerName: name }]));
  if (!overrides.confDir && !env.HF_PROVIDER_CONFDIR?.trim() && env.HF_CONFDIR?.trim()) {
    const providersDir = join(env.HF_CONFDIR, 'providers');
    for (const name of await readdir(providersDir).catch(() => [] as string[])) {
      if (!found.has(name) && (await instancesIn(join(providersDir, name))).includes(name)) found.set(name, { ...overrides, providerName: name });
    }
  }
  return [...found.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, opening]) => ({ name, overrides: opening }));
}

async function statusOutput(openSession: OpenSession, env: NodeJS.ProcessEnv, overrides: RuntimeOverrides): Promise<CommandOutput> {
  const confDir = resolveRuntimeSettings(env, overrides).confDir;
  const instances: InstanceStatus[] = [];
  for (const configured of await configuredInstances(env, overrides)) instances.push(await instanceStatus(openSession, configured.name, configured.overrides));
  const rows = instances.map((entry) => [entry.instance, entry.provider ?? '-', entry.source ?? '-', entry.status, entry.message]);
  const text = instances.length === 0 ? `no *${CONFIG_SUFFIX} in ${confDir}` : formatTable(['INSTANCE', 'PROVIDER', 'SOURCE', 'HEALTH', 'MESSAGE'], rows);
  return { data: { confDir, instances }, text, exitCode: instances.some((entry) => entry.status === 'fail') ? EXIT_FAILED : EXIT_OK };
}

/** One instance's provider and the health of its provider and cloud; an instance that cannot start is a failure with the reason. */
async function instanceStatus(openSession: OpenSession, instance: string, overrides: RuntimeOverrides): Promise<InstanceStatus> {
  try {
    const session = await openSession(overrides);
    try {
      const report = await session.health();
      const { id, version, source } = session.provider;
      const checks = report.checks.filter((check) => check.component === 'provider' || check.component === 'cloud');
      const worst = checks.some((check) => check.status === 'fail') ? 'fail' : checks.some((check) => check.status === 'warn') ? 'degraded' : 'ok';
      // The lifecycle's own finding repeats the PROVIDER and SOURCE columns: the message keeps the rest.
      const findings = checks.filter((check) => !check.message.startsWith(`${id} ${version} (${source})`));
      return { instance, provider: `${id} ${version}`, source, status: worst, message: findings.map((check) => `${check.component}: ${check.message}`).join('; ') };
    } finally {
      await session.close().catch(() => undefined);
    }
  } catch (thrown) {
    const error = toHostFactoryError(thrown);
    return { instance, status: 'fail', message: `${error.code}: ${error.message}` };
  }
}
