import type { ServiceIdentifier } from 'inversify';
import type { SimConfig } from './sim-config.js';

/** What the simulated cloud needs from the composition root. */
export interface SimCloudSettings {
  config: SimConfig;
  /** The sim's own SQLite file, `<workDir>/sim-cloud.db`. */
  stateFile: string;
  /** Provider instance name (HF_PROVIDER_NAME), written in every instance's tags. */
  providerName: string;
}

export const SimCloudSettings: ServiceIdentifier<SimCloudSettings> = Symbol.for('SimCloudSettings');

export const SIM_STATE_FILE_NAME = 'sim-cloud.db';
