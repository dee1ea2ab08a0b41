#!/usr/bin/env node
import 'reflect-metadata';
import { mkdir } from 'node:fs/promises';
import { CheckHealth } from './application/check-health.js';
import { buildContainer, providerRegistry } from './container.js';
import { Logger } from './domain/ports/logger.js';
import { MachineRepository } from './domain/ports/machine-repository.js';
import { RequestRepository } from './domain/ports/request-repository.js';
import { DryRunCommands } from './infrastructure/cli/dry-run-commands.js';
import { PeopleCommands } from './infrastructure/cli/people-commands.js';
import { runCli } from './infrastructure/cli/program.js';
import { StoreCommands } from './infrastructure/cli/store-commands.js';
import { loadProviderConfig } from './infrastructure/config/provider-config.js';
import { resolveRuntimeSettings, type RuntimeOverrides } from './infrastructure/config/runtime-settings.js';
import { HostFactoryOperations } from './infrastructure/hostfactory/hostfactory-operations.js';
import { PinoLogger } from './infrastructure/logging/pino-logger.js';
import { mergeIntoTextfile } from './infrastructure/metrics/metrics-textfile.js';
import { PromMetrics } from './infrastructure/metrics/prom-metrics.js';
import { defaultStoreUrl } from './infrastructure/storage/store-url.js';
import type { CliSession, SessionOptions } from './infrastructure/cli/cli-session.js';

// Node's own warnings (such as the AWS SDK's notice about Node versions) belong in the log, not on
// the terminal of whoever runs HostFactory.
let sessionLogger: Logger | undefined;
process.removeAllListeners('warning');
process.on('warning', (warning) => sessionLogger?.warn({ warning: warning.name, detail: warning.message }, 'node warning'));

/** The built-in providers and the installed provider packages (docs/providers.md), one registry per process. */
const providers = providerRegistry(process.env);

async function openSession(overrides: RuntimeOverrides, options: SessionOptions = {}): Promise<CliSession> {
  const settings = resolveRuntimeSettings(process.env, overrides);
  const config = await loadProviderConfig(settings.confDir, settings.providerName, process.env);
  await mkdir(settings.workDir, { recursive: true });
  const logger = PinoLogger.open({ logDir: settings.logDir, providerName: settings.providerName, level: config.logLevel });
  const storeUrl = process.env.HOSTFACTORY_STORE?.trim() || config.store || defaultStoreUrl(settings.workDir);
  sessionLogger = logger;
  // A script call counts only when its metrics go to a textfile; the server always counts (GET /metrics).
  const textfileDir = options.metrics ? undefined : process.env.METRICS_TEXTFILE_DIR?.trim() || undefined;
  const metrics = options.metrics || textfileDir ? await PromMetrics.create() : undefined;
  const { container, provider, instance, dispose } = await buildContainer(settings, config, storeUrl, logger, metrics, providers);
  const metricsText = metrics
    ? async () => {
        const state = await Promise.all([container.get(RequestRepository).listOutstanding(), container.get(MachineRepository).listLive()]).then(
          ([outstanding, live]) => ({ outstanding, live }),
          (error: unknown) => void logger.warn({ err: error }, 'metrics: store not readable; gauges left out'),
        );
        return metrics.render(state ?? undefined);
      }
    : undefined;
  const flushTextfile = async () => {
    if (!textfileDir || !metricsText) return;
    await mergeIntoTextfile(textfileDir, settings.providerName, await metricsText(), logger).catch((error: unknown) =>
      logger.warn({ err: error, dir: textfileDir }, 'metrics textfile not written'),
    );
  };
  return {
    settings,
    config,
    storeUrl,
    logger: container.get(Logger),
    hostFactory: container.get(HostFactoryOperations),
    people: container.get(PeopleCommands),
    stores: container.get(StoreCommands),
    dryRun: container.get(DryRunCommands),
    provider: { id: provider.loaded.plugin.id, version: provider.loaded.plugin.version, source: provider.loaded.source, capabilities: [...provider.loaded.plugin.capabilities] },
    simulatedCloud: instance.console ? async () => instance.console! : undefined,
    health: () => container.get(CheckHealth).execute(),
    metricsText,
    close: async () => {
      await flushTextfile();
      await dispose();
    },
  };
}

const io = {
  stdout: (text: string) => process.stdout.write(text),
  stderr: (text: string) => process.stderr.write(text),
  env: process.env,
};

runCli(process.argv.slice(2), openSession, io, providers).then(
  (code) => {
    process.exitCode = code;
    // Every handle is closed by now; should a driver keep one open, HostFactory must not wait on it.
    setTimeout(() => process.exit(code), 500).unref();
  },
  (error: unknown) => {
    process.stdout.write(JSON.stringify({ message: `internal error: ${(error as Error)?.message ?? error}`, code: 'INTERNAL' }) + '\n');
    process.exitCode = 1;
  },
);
