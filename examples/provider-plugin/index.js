import { dirname, isAbsolute, join, resolve } from 'node:path';
import { LeaseBook, readHosts } from './pool-files.js';
import { StaticPoolCloud } from './static-pool-cloud.js';

/**
 * Types come from the host's published plugin API; this package imports nothing of it at run time.
 * @typedef {import('hostfactory-aws-provider/plugin').CloudProvider} CloudProvider
 * @typedef {import('hostfactory-aws-provider/plugin').CloudMachine} CloudMachine
 * @typedef {import('hostfactory-aws-provider/plugin').CloudHost} CloudHost
 * @typedef {import('hostfactory-aws-provider/plugin').LaunchOrder} LaunchOrder
 * @typedef {import('hostfactory-aws-provider/plugin').LaunchResult} LaunchResult
 * @typedef {import('hostfactory-aws-provider/plugin').Machine} Machine
 * @typedef {import('hostfactory-aws-provider/plugin').MachineRef} MachineRef
 * @typedef {import('hostfactory-aws-provider/plugin').Offering} Offering
 * @typedef {import('hostfactory-aws-provider/plugin').ProviderErrors} ProviderErrors
 * @typedef {import('hostfactory-aws-provider/plugin').Template} Template
 * @typedef {import('hostfactory-aws-provider/plugin').TemplateFinding} TemplateFinding
 * @typedef {import('hostfactory-aws-provider/plugin').TrackedRequest} TrackedRequest
 * @typedef {{ hostsFile: string }} StaticPoolConfig
 */

/**
 * @template C
 * @typedef {import('hostfactory-aws-provider/plugin').ProviderContext<C>} ProviderContext
 */

/** The leases file in the instance's work dir. */
export const LEASES_FILE_NAME = 'static-pool-leases.json';

/**
 * A static pool of hosts listed in a file, lent to HostFactory requests and given back: on-premise
 * machines under HostFactory. Config key: STATIC_POOL_HOSTS_FILE (relative to the config file's dir).
 * @type {import('hostfactory-aws-provider/plugin').ProviderPlugin<StaticPoolConfig>}
 */
const staticPoolProvider = {
  apiVersion: 1,
  id: 'static-pool',
  version: '1.0.0',
  description: 'lends hosts of a static pool listed in a file (on-premise machines)',
  capabilities: ['reclaims', 'reconcile', 'validate', 'dry-run'],
  configSchema: (z) =>
    z.looseObject({ STATIC_POOL_HOSTS_FILE: z.string().trim().min(1) }).transform((value) => ({ hostsFile: value.STATIC_POOL_HOSTS_FILE })),
  create: (context) => {
    const hostsFile = isAbsolute(context.config.hostsFile) ? context.config.hostsFile : resolve(dirname(context.configFile), context.config.hostsFile);
    const book = new LeaseBook(join(context.workDir, LEASES_FILE_NAME));
    const cloud = new StaticPoolCloud(context, hostsFile, book);
    return {
      cloud,
      // A hosts file that cannot be read fails the instance at start, not at its first launch.
      initialize: async () => void (await readHosts(hostsFile, context.errors)),
      health: async () => {
        const [hosts, { leases }] = await Promise.all([readHosts(hostsFile, context.errors), book.read()]);
        return [{ status: 'ok', message: `${hosts.length} hosts listed, ${Object.keys(leases).length} lent (${book.file})` }];
      },
    };
  },
};

export default staticPoolProvider;
