import { join } from 'node:path';
import { PROVIDER_API_VERSION, type ProviderPlugin } from '../../plugin/provider-plugin.js';
import { PACKAGE_VERSION } from '../../shared/package-version.js';
import { SimCloudConsole } from './sim-cloud-console.js';
import { SimCloudProvider } from './sim-cloud-provider.js';
import { SIM_STATE_FILE_NAME, type SimCloudSettings } from './sim-cloud-settings.js';
import { simFileSchema, type SimConfig } from './sim-config.js';
import { SimPriceSource } from './sim-prices.js';

export { SimCloudProvider } from './sim-cloud-provider.js';
export { parseSimConfig } from './sim-config.js';

/** The simulated cloud as a provider plugin: its state in `<workDir>/sim-cloud.db`. */
const simProvider: ProviderPlugin<SimConfig> = {
  apiVersion: PROVIDER_API_VERSION,
  id: 'sim',
  version: PACKAGE_VERSION,
  description: 'a simulated cloud that persists its state, for demos, fault injection and scale tests',
  capabilities: ['spot', 'reclaims', 'reconcile', 'prices', 'validate', 'dry-run'],
  configSchema: () => simFileSchema,
  create: ({ config, providerName, workDir, clock, logger }) => {
    const settings: SimCloudSettings = { config, stateFile: join(workDir, SIM_STATE_FILE_NAME), providerName };
    const cloud = new SimCloudProvider(settings, clock, logger);
    let console: SimCloudConsole | undefined;
    const opened = () => (console ??= new SimCloudConsole(settings, clock));
    return {
      cloud,
      prices: new SimPriceSource(clock),
      console: {
        interrupt: (machineId, graceSec) => opened().interrupt(machineId, graceSec),
        terminate: (machineId) => opened().terminate(machineId),
      },
      close: async () => {
        await console?.close();
        await cloud.close();
      },
    };
  },
};

export default simProvider;
