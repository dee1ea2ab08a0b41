import { Command, CommanderError } from 'commander';
import { toHostFactoryError, type HostFactoryError } from '../../domain/errors.js';
import { resolveRuntimeSettings, type RuntimeOverrides } from '../config/runtime-settings.js';
import { readInputFile } from '../hostfactory/hostfactory-input.js';
import { HOSTFACTORY_OPERATIONS } from '../hostfactory/hostfactory-operations.js';
import { errorResponse } from '../hostfactory/hostfactory-output.js';
import { PinoLogger } from '../logging/pino-logger.js';
import type { ProviderRegistry } from '../plugins/provider-registry.js';
import type { CliSession, Io, OpenSession, SessionOptions } from './cli-session.js';
import { healthOutput } from './health-command.js';
import { EXIT_INVALID_INPUT, EXIT_OK, exitCodeFor } from './exit-codes.js';
import type { CommandOutput } from './people-commands.js';
import { addPeopleCommands } from './people-program.js';
import { addProvidersCommands } from './providers-command.js';
import { scriptFailure, scriptSuccess, type ScriptOutput } from './script-output.js';
import { addServeCommand } from './serve-program.js';

interface GlobalOptions {
  providerName?: string;
  confdir?: string;
  workdir?: string;
  logdir?: string;
  json?: boolean;
}


/** Runs one CLI invocation and returns its exit code. The one place that catches. */
export async function runCli(argv: readonly string[], openSession: OpenSession, io: Io, providers: ProviderRegistry): Promise<number> {
  let exitCode = EXIT_OK;
  const program = new Command('hostfactory')
    .description('IBM Spectrum Symphony HostFactory provider for AWS (simulated cloud by default)')
    .option('--provider-name <name>', 'provider instance name (default $HF_PROVIDER_NAME or "sim")')
    .option('--confdir <dir>', 'config dir (default $HF_PROVIDER_CONFDIR or the bundled config/)')
    .option('--workdir <dir>', 'work dir for state (default $HF_PROVIDER_WORKDIR)')
    .option('--logdir <dir>', 'log dir (default $HF_PROVIDER_LOGDIR)')
    .option('--json', 'print JSON instead of tables')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  const overridesOf = (): RuntimeOverrides => {
    const options = program.opts<GlobalOptions>();
    return { providerName: options.providerName, confDir: options.confdir, workDir: options.workdir, logDir: options.logdir };
  };

  const withSession = async (work: (session: CliSession) => Promise<void>, onError: (error: HostFactoryError) => void, options?: SessionOptions) => {
    let session: CliSession | undefined;
    try {
      session = await openSession(overridesOf(), options);
      await work(session);
    } catch (thrown) {
      const error = toHostFactoryError(thrown);
      logFailure(session, overridesOf(), io.env, error);
      onError(error);
      exitCode = exitCodeFor(error.code);
    } finally {
      await session?.close().catch(() => undefined);
    }
  };

  const print = (output: ScriptOutput) => {
    io.stdout(output.stdout);
    if (output.stderr) io.stderr(output.stderr);
  };
  for (const operation of HOSTFACTORY_OPERATIONS) {
    program
      .command(operation)
      .description(`HostFactory script operation (reads the input JSON from -f)`)
      .option('-f, --file <file>', 'input JSON file written by HostFactory')
      .action(async (options: { file?: string }) => {
        await withSession(
          async (session) => {
            const input = operation === 'getAvailableTemplates' && !options.file ? {} : await readInputFile(options.file);
            print(scriptSuccess(await session.hostFactory.run(operation, input)));
          },
          (error) => print(scriptFailure(error)),
        );
      });
  }

  const show = (output: CommandOutput) =>
    io.stdout((program.opts<GlobalOptions>().json ? JSON.stringify(output.data, null, 2) : output.text) + '\n');
  const showError = (error: HostFactoryError) =>
    program.opts<GlobalOptions>().json ? io.stdout(JSON.stringify(errorResponse(error)) + '\n') : io.stderr(`error (${error.code}): ${error.message}\n`);
  const human = (work: (session: CliSession) => Promise<CommandOutput>) =>
    withSession(async (session) => {
      const output = await work(session);
      show(output);
      if (output.exitCode !== undefined) exitCode = output.exitCode;
    }, showError);
  addPeopleCommands(program, human, io);
  const direct = async (work: () => Promise<CommandOutput>) => {
    try {
      const output = await work();
      show(output);
      if (output.exitCode !== undefined) exitCode = output.exitCode;
    } catch (thrown) {
      const error = toHostFactoryError(thrown);
      showError(error);
      exitCode = exitCodeFor(error.code);
    }
  };
  addProvidersCommands(program, providers, openSession, overridesOf, io, direct);
  addServeCommand(program, (work) => withSession(work, showError, { metrics: true }), io);
  program
    .command('health')
    .description('check config, templates, store, cloud credentials and region, and the clock against the cloud; exit 1 when a check fails')
    .action(async () => {
      const output = await healthOutput(openSession, overridesOf());
      show(output);
      exitCode = output.exitCode ?? EXIT_OK;
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_INVALID_INPUT;
    throw error;
  }
  return exitCode;
}

function logFailure(session: CliSession | undefined, overrides: RuntimeOverrides, env: NodeJS.ProcessEnv, error: HostFactoryError) {
  try {
    const logger = session?.logger ?? PinoLogger.open({ ...resolveRuntimeSettings(env, overrides), level: 'info' });
    logger.error({ err: error, code: error.code }, 'operation failed');
  } catch {
    // The log dir itself is unusable; the response on stdout still tells HostFactory what went wrong.
  }
}
