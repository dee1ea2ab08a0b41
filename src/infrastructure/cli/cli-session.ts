import type { HealthReport } from '../../application/check-health.js';
import type { Logger } from '../../domain/ports/logger.js';
import type { ProviderConfig } from '../config/provider-config.js';
import type { RuntimeOverrides, RuntimeSettings } from '../config/runtime-settings.js';
import type { HostFactoryOperations } from '../hostfactory/hostfactory-operations.js';
import type { DryRunCommands } from './dry-run-commands.js';
import type { PeopleCommands } from './people-commands.js';
import type { StoreCommands } from './store-commands.js';

/** Acting on simulated hosts "outside HostFactory", for demos and drills (simulated cloud only). */
export interface SimulatedCloudConsole {
  interrupt(machineId: string, graceSec: number): Promise<CloudHostView>;
  terminate(machineId: string): Promise<CloudHostView>;
}

export interface CloudHostView {
  machineId: string;
  name: string;
  status: string;
}

/** Everything one CLI invocation needs, built by the composition root for the chosen instance. */
export interface CliSession {
  settings: RuntimeSettings;
  config: ProviderConfig;
  storeUrl: string;
  logger: Logger;
  hostFactory: HostFactoryOperations;
  people: PeopleCommands;
  stores: StoreCommands;
  dryRun: DryRunCommands;
  /** The instance's provider plugin and where it came from (`built-in` or the package and its dir). */
  provider: { id: string; version: string; source: string; capabilities: string[] };
  /** Every health check of this instance (`hostfactory health`, `GET /health`). */
  health(): Promise<HealthReport>;
  /** The metrics in Prometheus's text format, gauges read from the store; undefined when metrics are off. */
  metricsText?: () => Promise<string>;
  /** The provider's console for drills (the simulated cloud's), opened on first use; undefined when the provider has none. */
  simulatedCloud?: () => Promise<SimulatedCloudConsole>;
  close(): Promise<void>;
}

export interface SessionOptions {
  /** Count metrics whatever the environment says (the server serves them at /metrics). */
  metrics?: boolean;
}

export type OpenSession = (overrides: RuntimeOverrides, options?: SessionOptions) => Promise<CliSession>;

/** Where a CLI invocation writes, and the environment it reads. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}
