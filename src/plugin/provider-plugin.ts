/**
 * The provider plugin API: what a cloud provider gives HostFactory, built in (`sim`, `aws`) or an
 * installed npm package (docs/providers.md). Published as `hostfactory-aws-provider/plugin`; it
 * holds types and one constant, so a plugin needs nothing of this package at run time.
 */
import type { ZodType, z } from 'zod';
import type { HostFactoryErrorCode } from '../domain/errors.js';
import type { CloudMachine } from '../domain/machine.js';
import type { Offering } from '../domain/offering.js';
import type { Clock } from '../domain/ports/clock.js';
import type { CloudProvider } from '../domain/ports/cloud-provider.js';
import type { HealthFinding } from '../domain/ports/health-check.js';
import type { InterruptionFeed } from '../domain/ports/interruption-feed.js';
import type { Logger } from '../domain/ports/logger.js';
import type { Metrics } from '../domain/ports/metrics.js';
import type { PriceSource } from '../domain/ports/price-source.js';
import type { ResourceLease } from '../domain/ports/resource-lease.js';
import type { TemplateRepository } from '../domain/ports/template-repository.js';

export type * from '../domain/ports/cloud-provider.js';
export type { CloudMachine, Machine, MachineRef, MachineState } from '../domain/machine.js';
export type { Request } from '../domain/request.js';
export type { Template } from '../domain/template.js';
export type { PriceSheet } from '../domain/price.js';
export type { Clock, HealthFinding, HostFactoryErrorCode, Offering, InterruptionFeed, Logger, Metrics, PriceSource, ResourceLease };

/** The version of this API; a plugin built for another one is refused. */
export const PROVIDER_API_VERSION = 1;

/**
 * What a provider can do beyond the CloudProvider port's required methods: `spot` (spot market),
 * `fleets` (fleets or groups that replace hosts: stopReplacing), `reclaims` (the cloud takes hosts
 * back: listReclaims reports them), `reconcile` (inventory and removeLeaks find and remove what no
 * request owns), `prices`, `validate` (checkTemplates), `dry-run` (planLaunch: the exact launch, made with nothing launched).
 */
export type ProviderCapability = 'spot' | 'fleets' | 'reclaims' | 'reconcile' | 'prices' | 'validate' | 'dry-run';

/**
 * The core's errors, for a plugin to throw: the CloudProvider port's methods translate the cloud's
 * errors into these (a plugin cannot make the core's error class itself: it imports nothing).
 */
export interface ProviderErrors {
  /** INSUFFICIENT_CAPACITY, ACCESS_DENIED, THROTTLED (retryable), INVALID_INPUT, CLOUD_ERROR… */
  error(code: HostFactoryErrorCode, message: string, options?: { retryable?: boolean; cause?: unknown }): Error;
  /** A launch that started nothing, with the pools that answered "insufficient capacity" on the way. */
  launchFailed(code: HostFactoryErrorCode, message: string, unavailable: readonly Offering[]): Error;
}

/** What the core gives a provider's factory: its validated config and the ports it may use. */
export interface ProviderContext<Config> {
  /** The provider's own keys of `<name>prov_config.json`, as its `configSchema` parsed them. */
  config: Config;
  configFile: string;
  /** The provider instance (HF_PROVIDER_NAME): tag what you launch with it. */
  providerName: string;
  /** The instance's work dir (HF_PROVIDER_WORKDIR): a provider's own state files go there. */
  workDir: string;
  logger: Logger;
  clock: Clock;
  metrics: Metrics;
  /** The instance's state store, shared by every HostFactory process of the instance. */
  store: { leases: ResourceLease };
  /** The instance's templates, to read: a provider spread over places (AWS regions) looks wherever they point. */
  templates?: Pick<TemplateRepository, 'list'>;
  errors: ProviderErrors;
}

/** Acting on hosts as if from outside HostFactory (the simulated cloud's drills). */
export interface CloudConsole {
  interrupt(machineId: string, graceSec: number): Promise<CloudMachine>;
  terminate(machineId: string): Promise<CloudMachine>;
}

/**
 * One provider instance, as the factory builds it. Its lifecycle: `initialize` once before any
 * call, then ready, then `close` once on exit or server shutdown.
 */
export interface ProviderInstance {
  cloud: CloudProvider;
  /** Notices the cloud pushes (see InterruptionFeed), when configured. */
  interruptions?: InterruptionFeed;
  /** The cloud's price lists (capability `prices`). */
  prices?: PriceSource;
  console?: CloudConsole;
  /** Opens what the provider needs before its first call; throws (a HostFactoryError) when it cannot. */
  initialize?(): Promise<void>;
  /** The provider's own view of its health, beyond the cloud access probe; never throws. */
  health?(): Promise<HealthFinding[]>;
  close?(): Promise<void>;
}

/** A cloud provider: metadata, the schema of its config keys, and a factory of instances. */
export interface ProviderPlugin<Config = unknown> {
  /** PROVIDER_API_VERSION of the API the plugin was written for. */
  apiVersion: number;
  /** The PROVIDER_TYPE that selects it, e.g. `aws`; lower case letters, digits and dashes. */
  id: string;
  version: string;
  description?: string;
  capabilities: readonly ProviderCapability[];
  /**
   * The schema of the provider's keys in `<name>prov_config.json`, built with the `z` it is given
   * (the core's zod, so the plugin needs none of its own). It sees the whole file: other keys
   * belong to the core and must be let through.
   */
  configSchema(zod: typeof z): ZodType<Config>;
  create(context: ProviderContext<Config>): ProviderInstance | Promise<ProviderInstance>;
}
