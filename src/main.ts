#!/usr/bin/env node
import 'reflect-metadata';
import { mkdir } from 'node:fs/promises';
import { buildContainer } from './container.js';
import { Logger } from './domain/ports/logger.js';
import { PeopleCommands } from './infrastructure/cli/people-commands.js';
import { runCli } from './infrastructure/cli/program.js';
import { StoreCommands } from './infrastructure/cli/store-commands.js';
import { loadProviderConfig } from './infrastructure/config/provider-config.js';
import { resolveRuntimeSettings, type RuntimeOverrides } from './infrastructure/config/runtime-settings.js';
import { HostFactoryOperations } from './infrastructure/hostfactory/hostfactory-operations.js';
import { PinoLogger } from './infrastructure/logging/pino-logger.js';
import { defaultStoreUrl } from './infrastructure/storage/store-url.js';
import type { CliSession } from './infrastructure/cli/cli-session.js';

// Node's own warnings (such as the AWS SDK's notice about Node versions) belong in the log, not on
// the terminal of whoever runs HostFactory.
let sessionLogger: Logger | undefined;
process.removeAllListeners('warning');
process.on('warning', (warning) => sessionLogger?.warn({ warning: warning.name, detail: warning.message }, 'node warning'));

async function openSession(overrides: RuntimeOverrides): Promise<CliSession> {
  const settings = resolveRuntimeSettings(process.env, overrides);
  const config = await loadProviderConfig(settings.confDir, settings.providerName, process.env);
  await mkdir(settings.workDir, { recursive: true });
  const logger = PinoLogger.open({ logDir: settings.logDir, providerName: settings.providerName, level: config.logLevel });
  const storeUrl = process.env.HOSTFACTORY_STORE?.trim() || config.store || defaultStoreUrl(settings.workDir);
  sessionLogger = logger;
  const { container, dispose } = await buildContainer(settings, config, storeUrl, logger);
  return {
    settings,
    config,
    storeUrl,
    logger: container.get(Logger),
    hostFactory: container.get(HostFactoryOperations),
    people: container.get(PeopleCommands),
    stores: container.get(StoreCommands),
    simulatedCloud:
      config.providerType === 'sim'
        ? async () => container.get((await import('./providers/sim/index.js')).SimCloudConsole)
        : undefined,
    close: dispose,
  };
}

const io = {
  stdout: (text: string) => process.stdout.write(text),
  stderr: (text: string) => process.stderr.write(text),
  env: process.env,
};

runCli(process.argv.slice(2), openSession, io).then(
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
