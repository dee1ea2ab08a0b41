import type { HealthReport, HealthResult } from '../../application/check-health.js';
import { toHostFactoryError } from '../../domain/errors.js';
import type { RuntimeOverrides } from '../config/runtime-settings.js';
import type { CommandOutput } from './people-commands.js';
import type { OpenSession } from './cli-session.js';
import { formatTable } from './table.js';

export const EXIT_HEALTHY = 0;
export const EXIT_UNHEALTHY = 1;

/**
 * `hostfactory health`: the config (it must load), then every registered check. A session that
 * cannot open is itself the failing check: `config` for a bad config file, `provider` for a provider
 * that did not start, `store` for a store that cannot be opened or migrated, `startup` otherwise.
 */
export async function healthOutput(openSession: OpenSession, overrides: RuntimeOverrides): Promise<CommandOutput> {
  let report: HealthReport;
  try {
    const session = await openSession(overrides);
    try {
      const checks = await session.health();
      const config: HealthResult = { component: 'config', status: 'ok', latencyMs: 0, message: `${session.config.file} (provider ${session.settings.providerName}, ${session.config.providerType})` };
      report = { status: checks.status, checks: [config, ...checks.checks] };
    } finally {
      await session.close().catch(() => undefined);
    }
  } catch (thrown) {
    const error = toHostFactoryError(thrown);
    const component =
      error.code === 'CONFIG_INVALID' && !/store/i.test(error.message)
        ? 'config'
        : /^provider /.test(error.message)
          ? 'provider'
          : /store|database|sqlite|postgres|dynamo/i.test(error.message)
            ? 'store'
            : 'startup';
    report = { status: 'fail', checks: [{ component, status: 'fail', latencyMs: 0, message: `${error.code}: ${error.message}` }] };
  }
  const rows = report.checks.map((check) => [check.component, check.status, `${check.latencyMs} ms`, check.message]);
  const text = `${formatTable(['COMPONENT', 'STATUS', 'LATENCY', 'MESSAGE'], rows)}\nstatus: ${report.status}`;
  return { data: report, text, exitCode: report.status === 'fail' ? EXIT_UNHEALTHY : EXIT_HEALTHY };
}
