import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HostFactoryError } from '../../domain/errors.js';
import { errorResponse } from '../hostfactory/hostfactory-output.js';
import { createApiHandler, type ApiServices, type ServerState } from './http-api.js';
import { bearerTokenMatches, type ListenAddress } from './listen-address.js';
import { listenOnSocket } from './server-socket.js';

export interface ServeSettings {
  /** The unix socket, in the work dir. */
  socketPath: string;
  /** A TCP address to listen on too. */
  listen?: ListenAddress;
  /** SERVE_TOKEN: when set, every TCP call must carry it as a bearer token. */
  token?: string;
}

export interface Listening {
  socket: string;
  /** `http://host:port` of the TCP listener. */
  url?: string;
}

/**
 * `hostfactory serve`: the HTTP API on a unix socket (and TCP when asked), over one session opened
 * once. Stops gracefully: no new connections, the calls in flight answered, then every connection closed.
 */
export class HostFactoryServer {
  private readonly servers: Server[] = [];
  private readonly handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
  private inFlight = 0;
  private stopping = false;
  private state: ServerState = 'starting';
  private onIdle?: () => void;

  constructor(private readonly services: ApiServices) {
    this.handle = createApiHandler(services, () => this.state);
  }

  async start(settings: ServeSettings): Promise<Listening> {
    const unix = this.httpServer(undefined);
    await listenOnSocket(unix, settings.socketPath, this.services.logger);
    this.keepServingAfterErrors(unix);
    if (!settings.listen) {
      this.state = 'ready';
      return { socket: settings.socketPath };
    }
    const tcp = this.httpServer(settings.token);
    tcp.listen(settings.listen.port, settings.listen.host);
    await once(tcp, 'listening');
    this.keepServingAfterErrors(tcp);
    const { address, family, port } = tcp.address() as AddressInfo;
    this.state = 'ready';
    return { socket: settings.socketPath, url: `http://${family === 'IPv6' ? `[${address}]` : address}:${port}` };
  }

  /** Stops accepting, waits for the calls in flight to be answered, then closes every connection. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.state = 'stopping';
    const closed = this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.onIdle = resolve));
    for (const server of this.servers) server.closeAllConnections();
    await Promise.all(closed);
  }

  /** Drops every connection now, calls in flight included (a second signal while stopping). */
  abort(): void {
    for (const server of this.servers) server.closeAllConnections();
  }

  /** An error of a listening server (such as EMFILE on accept) is logged: it must not end the process. */
  private keepServingAfterErrors(server: Server): void {
    server.on('error', (error) => this.services.logger.error({ err: error }, 'server error'));
  }

  private httpServer(token: string | undefined): Server {
    const server = createServer((request, response) => {
      this.inFlight += 1;
      response.once('close', () => {
        this.inFlight -= 1;
        if (this.inFlight === 0) this.onIdle?.();
      });
      if (this.stopping) response.setHeader('connection', 'close');
      if (token !== undefined && !bearerTokenMatches(request.headers.authorization, token)) return unauthorized(response);
      this.handle(request, response).catch((error: unknown) => {
        this.services.logger.error({ err: error, path: request.url }, 'answer not sent');
        response.destroy();
      });
    });
    this.servers.push(server);
    return server;
  }
}

function unauthorized(response: ServerResponse): void {
  const body = JSON.stringify(errorResponse(new HostFactoryError('ACCESS_DENIED', 'missing or wrong bearer token (SERVE_TOKEN of the provider config)'))) + '\n';
  response.writeHead(401, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'www-authenticate': 'Bearer realm="hostfactory"' });
  response.end(body);
}
