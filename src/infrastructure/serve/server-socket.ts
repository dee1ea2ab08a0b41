import { once } from 'node:events';
import { lstat, unlink } from 'node:fs/promises';
import { connect, type Server } from 'node:net';
import { HostFactoryError } from '../../domain/errors.js';
import type { Logger } from '../../domain/ports/logger.js';
import { withFileLock } from '../files/with-file-lock.js';

/** sun_path holds 108 bytes, the last a NUL. */
const MAX_SOCKET_PATH_BYTES = 107;

/**
 * Listens on the unix socket at `path`, readable and writable by this user only (mode 0600 from the
 * moment it exists). One server per work dir: a socket that answers means another server runs, and
 * this one refuses; a socket nobody answers on is what a crashed server left, and is replaced. The
 * check and the listen hold a lock, so two servers starting together cannot both pass it.
 */
export async function listenOnSocket(server: Server, path: string, logger: Logger): Promise<void> {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new HostFactoryError('CONFIG_INVALID', `socket path ${path} is ${Buffer.byteLength(path)} bytes, over the ${MAX_SOCKET_PATH_BYTES} a unix socket allows: use a shorter work dir`);
  }
  const lock = { what: 'the server socket', staleMs: 10_000, retries: { retries: 20, minTimeout: 20, maxTimeout: 500 }, logger };
  await withFileLock(path, lock, async () => {
    await removeStaleSocket(path, logger);
    const listening = once(server, 'listening');
    // listen() binds synchronously: the umask covers the socket's creation and nothing else.
    const previous = process.umask(0o177);
    try {
      server.listen(path);
    } finally {
      process.umask(previous);
    }
    await listening;
  });
}

async function removeStaleSocket(path: string, logger: Logger): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (!isSocket) throw new HostFactoryError('CONFIG_INVALID', `${path} exists and is not a socket: move it away to serve this work dir`);
  const probe = await knock(path);
  if (probe === 'ENOENT') return;
  if (probe === 'answered') {
    throw new HostFactoryError('CONFIG_INVALID', `a hostfactory server already serves this work dir (its socket ${path} answers): stop it before starting another`);
  }
  if (probe !== 'ECONNREFUSED') throw new HostFactoryError('CONFIG_INVALID', `cannot tell whether a server owns ${path} (${probe}): remove it if none does`);
  logger.warn({ socket: path }, 'replacing the socket of a server that is gone');
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/** 'answered', or the error code of the connection attempt. */
function knock(path: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve('answered');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}
