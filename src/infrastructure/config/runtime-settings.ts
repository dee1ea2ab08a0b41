import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where this provider instance lives, from HostFactory's environment and CLI flags. */
export interface RuntimeSettings {
  providerName: string;
  confDir: string;
  workDir: string;
  logDir: string;
}

export interface RuntimeOverrides {
  providerName?: string;
  confDir?: string;
  workDir?: string;
  logDir?: string;
}

/** The repo's own `config/` dir (from `dist/infrastructure/config/` or `src/infrastructure/config/`). */
export const BUNDLED_CONFIG_DIR = fileURLToPath(new URL('../../../config/', import.meta.url));

/**
 * Flags win over HF_PROVIDER_* variables, which win over HostFactory's HF_WORKDIR/HF_LOGDIR
 * layout, which wins over defaults under the user's state dir.
 */
export function resolveRuntimeSettings(env: NodeJS.ProcessEnv, overrides: RuntimeOverrides = {}): RuntimeSettings {
  const providerName = overrides.providerName ?? nonEmpty(env.HF_PROVIDER_NAME) ?? 'sim';
  const stateHome = nonEmpty(env.XDG_STATE_HOME) ?? join(homedir(), '.local', 'state');
  const defaultHome = join(stateHome, 'hostfactory', providerName);
  const confDir =
    overrides.confDir ??
    nonEmpty(env.HF_PROVIDER_CONFDIR) ??
    (nonEmpty(env.HF_CONFDIR) ? join(env.HF_CONFDIR as string, 'providers', providerName) : BUNDLED_CONFIG_DIR);
  const workDir =
    overrides.workDir ??
    nonEmpty(env.HF_PROVIDER_WORKDIR) ??
    (nonEmpty(env.HF_WORKDIR) ? join(env.HF_WORKDIR as string, 'providers', providerName) : join(defaultHome, 'work'));
  const logDir = overrides.logDir ?? nonEmpty(env.HF_PROVIDER_LOGDIR) ?? nonEmpty(env.HF_LOGDIR) ?? join(defaultHome, 'log');
  return { providerName, confDir: resolve(confDir), workDir: resolve(workDir), logDir: resolve(logDir) };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value : undefined;
}
