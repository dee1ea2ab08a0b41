import { z } from 'zod';
import { HostFactoryError, LaunchFailedError, toHostFactoryError } from '../../domain/errors.js';
import type { HealthCheck, HealthFinding } from '../../domain/ports/health-check.js';
import type { ProviderCapability, ProviderContext, ProviderErrors, ProviderInstance } from '../../plugin/provider-plugin.js';
import { configError } from '../config/provider-config.js';
import type { LoadedProvider } from './provider-registry.js';

export type LifecycleState = 'created' | 'initializing' | 'ready' | 'failed' | 'stopping' | 'stopped';

/** The provider's own keys of the config file, validated by its schema; CONFIG_INVALID naming file and key. */
export function parseProviderKeys(loaded: LoadedProvider, raw: Record<string, unknown>, file: string): unknown {
  const parsed = loaded.plugin.configSchema(z).safeParse(raw);
  if (!parsed.success) throw configError(file, parsed.error);
  return parsed.data;
}

/**
 * One provider instance through its lifecycle: created, then initializing (the factory and the
 * instance's `initialize`), ready, and stopped once on exit or server shutdown. It is the
 * `provider` health check: the plugin, its state, and the instance's own findings.
 */
export class ProviderLifecycle implements HealthCheck {
  readonly component = 'provider';
  private current: LifecycleState = 'created';
  private instance: ProviderInstance | undefined;
  private failure: string | undefined;

  constructor(
    readonly loaded: LoadedProvider,
    private readonly context: ProviderContext<unknown>,
  ) {}

  get state(): LifecycleState {
    return this.current;
  }

  /** Creates and initializes the instance; once. On failure the instance is closed and the error thrown, naming the provider. */
  async start(): Promise<ProviderInstance> {
    if (this.current !== 'created') throw new HostFactoryError('INTERNAL', `provider ${this.loaded.plugin.id} is ${this.current}; it starts once`);
    this.current = 'initializing';
    try {
      this.instance = await this.loaded.plugin.create(this.context);
      await this.instance.initialize?.();
      this.current = 'ready';
      return this.instance;
    } catch (error) {
      const reason = toHostFactoryError(error);
      this.current = 'failed';
      this.failure = reason.message;
      await this.instance?.close?.().catch(() => undefined);
      throw new HostFactoryError(reason.code, `provider ${this.describe()} did not start: ${reason.message}`, { retryable: reason.retryable, cause: error });
    }
  }

  /** Closes the instance; idempotent, and harmless before start. */
  async stop(): Promise<void> {
    if (this.current !== 'ready') {
      if (this.current === 'created') this.current = 'stopped';
      return;
    }
    this.current = 'stopping';
    try {
      await this.instance?.close?.();
    } finally {
      this.current = 'stopped';
    }
  }

  /** What `providers list` and the health report show of the plugin: `id version (source)`. */
  describe(): string {
    const { plugin, source } = this.loaded;
    return `${plugin.id} ${plugin.version} (${source})`;
  }

  async run(): Promise<HealthFinding[]> {
    if (this.current !== 'ready') {
      return [{ status: 'fail', message: `${this.describe()} is ${this.current}${this.failure ? `: ${this.failure}` : ''}` }];
    }
    const own = await (this.instance?.health?.() ?? Promise.resolve([])).catch((error: unknown): HealthFinding[] => {
      const reason = toHostFactoryError(error);
      return [{ status: 'fail', message: `${reason.code}: ${reason.message}` }];
    });
    return [{ status: 'ok', message: `${this.describe()} ready` }, ...this.unkeptCapabilities(), ...own];
  }

  /** A capability declared without what gives it: the commands relying on it would find nothing. */
  private unkeptCapabilities(): HealthFinding[] {
    const instance = this.instance!;
    const kept: Partial<Record<ProviderCapability, [boolean, string]>> = {
      fleets: [instance.cloud.stopReplacing !== undefined, 'stopReplacing'],
      validate: [instance.cloud.checkTemplates !== undefined, 'checkTemplates'],
      'dry-run': [instance.cloud.planLaunch !== undefined, 'planLaunch'],
      prices: [instance.prices !== undefined, 'a price source'],
    };
    return this.loaded.plugin.capabilities.flatMap((capability) => {
      const [present, what] = kept[capability] ?? [true, ''];
      return present ? [] : [{ status: 'warn' as const, message: `declares capability ${capability} but has no ${what}` }];
    });
  }
}

/** The core's errors as a plugin throws them (ProviderContext.errors). */
export const PROVIDER_ERRORS: ProviderErrors = {
  error: (code, message, options) => new HostFactoryError(code, message, options),
  launchFailed: (code, message, unavailable) => new LaunchFailedError(new HostFactoryError(code, message), unavailable),
};
