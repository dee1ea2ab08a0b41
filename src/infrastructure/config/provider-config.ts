import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { HostFactoryError } from '../../domain/errors.js';

/** A registered provider's id (`sim`, `aws`…) or the npm package of one (docs/providers.md). */
export type ProviderType = string;
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/**
 * The keys of `<name>prov_config.json` this layer reads. Provider keys (AWS_*, SIM_*) are kept in
 * `raw` and validated by the chosen provider. A file with no PROVIDER_TYPE is an AWS config, so an
 * unchanged IBM awsprov_config.json means AWS.
 */
/** A boolean written as JSON or as IBM's examples write it (`"true"`, `"false"`, any case); any other string is refused. */
const flag = z.preprocess((value) => {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  return text === 'true' ? true : text === 'false' ? false : value;
}, z.boolean('expected true or false'));
const seconds = z.preprocess((value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value), z.number().int().min(0).max(31_536_000));

const providerConfigSchema = z
  .object({
    PROVIDER_TYPE: z
      .string()
      .trim()
      .regex(/^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/, 'expected a provider id (sim, aws…) or the name of an installed provider package')
      .default('aws'),
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    ACCEPT_PROPAGATED_LOG_SETTING: flag.default(false),
    STORE: z.string().min(1).optional(),
    RETURN_UNTRACKED_HOSTS: flag.default(false),
    RECONCILE_GRACE_SEC: seconds.default(600),
    RECONCILE_INTERVAL_SEC: seconds.default(300),
    RECONCILE_APPLY: flag.default(false),
    CAPACITY_MEMORY_TTL_SEC: seconds.default(180),
    PRICE_CACHE_TTL_SEC: seconds.default(3600),
    PRICE_INFO: z.enum(['off', 'auto']).default('off'),
    SERVE_TOKEN: z.string().trim().min(16, 'at least 16 characters').optional(),
  })
  .loose();

export interface ProviderConfig {
  file: string;
  providerType: ProviderType;
  logLevel: LogLevel;
  /** Store URL from the file (HOSTFACTORY_STORE overrides it). */
  store?: string;
  /** RETURN_UNTRACKED_HOSTS: a returned host the store does not know and this provider instance did not tag is terminated too (a migration from IBM's plugin). */
  returnUntrackedHosts: boolean;
  /** RECONCILE_GRACE_SEC, RECONCILE_INTERVAL_SEC, RECONCILE_APPLY. */
  reconcile: { graceSec: number; intervalSec: number; apply: boolean };
  /** CAPACITY_MEMORY_TTL_SEC: seconds a pool that answered "insufficient capacity" is avoided by every process on the store; 0 off. */
  capacityMemoryTtlSec: number;
  /** PRICE_CACHE_TTL_SEC (seconds fetched prices stay fresh) and PRICE_INFO (`auto`: templates without a priceInfo get one from them). */
  prices: { cacheTtlSec: number; priceInfo: 'off' | 'auto' };
  /** SERVE_TOKEN: the bearer token `hostfactory serve` requires on TCP; needed to listen beyond loopback. */
  serveToken?: string;
  raw: Record<string, unknown>;
}

export function providerConfigFile(confDir: string, providerName: string): string {
  return join(confDir, `${providerName}prov_config.json`);
}

/** Reads and validates `<confDir>/<name>prov_config.json`; throws CONFIG_INVALID naming file and field. */
export async function loadProviderConfig(
  confDir: string,
  providerName: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProviderConfig> {
  const file = providerConfigFile(confDir, providerName);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : 'unreadable';
    throw new HostFactoryError('CONFIG_INVALID', `config file ${file} ${reason} (HF_PROVIDER_NAME=${providerName}, HF_PROVIDER_CONFDIR=${confDir})`, { cause: error });
  }
  return parseProviderConfig(text, file, env);
}

export function parseProviderConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): ProviderConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new HostFactoryError('CONFIG_INVALID', `config file ${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new HostFactoryError('CONFIG_INVALID', `config file ${file} must hold a JSON object`);
  }
  const parsed = providerConfigSchema.safeParse(raw);
  if (!parsed.success) throw configError(file, parsed.error);
  const logLevel = parsed.data.ACCEPT_PROPAGATED_LOG_SETTING ? (hostFactoryLogLevel(env.HF_LOGLEVEL) ?? parsed.data.LOG_LEVEL) : parsed.data.LOG_LEVEL;
  return {
    file,
    providerType: parsed.data.PROVIDER_TYPE,
    logLevel,
    store: parsed.data.STORE,
    returnUntrackedHosts: parsed.data.RETURN_UNTRACKED_HOSTS,
    reconcile: { graceSec: parsed.data.RECONCILE_GRACE_SEC, intervalSec: parsed.data.RECONCILE_INTERVAL_SEC, apply: parsed.data.RECONCILE_APPLY },
    capacityMemoryTtlSec: parsed.data.CAPACITY_MEMORY_TTL_SEC,
    prices: { cacheTtlSec: parsed.data.PRICE_CACHE_TTL_SEC, priceInfo: parsed.data.PRICE_INFO },
    serveToken: parsed.data.SERVE_TOKEN,
    raw: raw as Record<string, unknown>,
  };
}

/** A zod failure as CONFIG_INVALID naming the file and the first offending key. */
export function configError(file: string, error: z.ZodError): HostFactoryError {
  const issue = error.issues[0];
  const field = issue?.path.join('.') || '(root)';
  return new HostFactoryError('CONFIG_INVALID', `config file ${file}: ${field}: ${issue?.message ?? 'invalid'}`, { cause: error });
}

/** HF_LOGLEVEL values, in Symphony's syslog spelling (LOG_ERR, LOG_NOTICE, …) and the long forms, as pino levels. */
const HF_LEVELS: Record<string, LogLevel> = {
  LOG_TRACE: 'trace',
  LOG_DEBUG: 'debug',
  LOG_INFO: 'info',
  LOG_NOTICE: 'info',
  LOG_WARNING: 'warn',
  LOG_ERR: 'error',
  LOG_ERROR: 'error',
  LOG_CRIT: 'fatal',
  LOG_ALERT: 'fatal',
  LOG_EMERG: 'fatal',
  LOG_FATAL: 'fatal',
};

function hostFactoryLogLevel(value: string | undefined): LogLevel | undefined {
  return value ? HF_LEVELS[value.toUpperCase()] : undefined;
}
