export { SimCloudProvider } from './sim-cloud-provider.js';
export { SimCloudConsole } from './sim-cloud-console.js';
export { SimCloudSettings, SIM_STATE_FILE_NAME } from './sim-cloud-settings.js';
export { parseSimConfig, defaultSimConfig, simConfigSchema, type SimConfig } from './sim-config.js';
