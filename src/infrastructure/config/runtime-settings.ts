import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
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

/** The install's own `config/` dir, found from wherever this code runs (src/, dist/ or the bundle). */
export const BUNDLED_CONFIG_DIR = join(installRoot(dirname(fileURLToPath(import.meta.url))), 'config');

function installRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'config'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

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
