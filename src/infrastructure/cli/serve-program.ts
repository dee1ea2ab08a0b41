import type { Command } from 'commander';
import { join } from 'node:path';
import { SOCKET_FILE_NAME } from '../../shared/hostfactory-protocol.js';
import { HostFactoryServer } from '../serve/hostfactory-server.js';
import { checkTokenFor, parseListenAddress } from '../serve/listen-address.js';
import type { CliSession, Io } from './cli-session.js';

type WithSession = (work: (session: CliSession) => Promise<void>) => Promise<void>;

/** `hostfactory serve [--listen HOST:PORT]`: runs until SIGTERM or SIGINT. */
export function addServeCommand(program: Command, withSession: WithSession, io: Io): void {
  program
    .command('serve')
    .description(`serve this provider instance over HTTP on the unix socket <workdir>/${SOCKET_FILE_NAME}, config and store kept open; the scripts use it while it runs`)
    .option('--listen <host:port>', 'also listen on TCP (127.0.0.1:PORT); beyond loopback only with SERVE_TOKEN set in the provider config')
    .action((options: { listen?: string }) =>
      withSession(async (session) => {
        const listen = options.listen === undefined ? undefined : parseListenAddress(options.listen);
        if (listen) checkTokenFor(listen, session.config.serveToken, session.config.file);
        const { logger } = session;
        const server = new HostFactoryServer({ hostFactory: session.hostFactory, people: session.people, logger, health: () => session.health(), metricsText: session.metricsText });
        const signals = watchStopSignals();
        try {
          const listening = await server.start({ socketPath: join(session.settings.workDir, SOCKET_FILE_NAME), listen, token: session.config.serveToken });
          logger.info({ ...listening }, 'serving');
          const ready = { provider: session.settings.providerName, socket: listening.socket, url: listening.url, pid: process.pid };
          io.stdout(program.opts<{ json?: boolean }>().json ? JSON.stringify(ready) + '\n' : `serving ${ready.provider} on ${ready.socket}${ready.url ? ` and ${ready.url}` : ''} (pid ${ready.pid})\n`);
          const signal = await signals.first;
          logger.info({ signal }, 'stopping: answering the calls in flight, then closing the store');
          signals.onAnother(() => {
            logger.warn({}, 'stopping now: calls in flight are dropped');
            server.abort();
          });
        } finally {
          await server.stop();
          signals.dispose();
        }
        logger.info({}, 'stopped');
      }),
    );
}

/** The first SIGTERM or SIGINT, and what to do on the next one. */
function watchStopSignals() {
  let resolveFirst: (signal: string) => void = () => undefined;
  const first = new Promise<string>((resolve) => (resolveFirst = resolve));
  let another = () => {};
  let received = 0;
  const handler = (signal: NodeJS.Signals) => (++received === 1 ? resolveFirst(signal) : another());
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return {
    first,
    onAnother: (action: () => void) => (another = action),
    dispose: () => {
      process.off('SIGTERM', handler);
      process.off('SIGINT', handler);
    },
  };
}
