import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { HostFactoryError } from '../../domain/errors.js';

/** A TCP address `hostfactory serve --listen` opens besides its unix socket. */
export interface ListenAddress {
  host: string;
  port: number;
  /** Only this host can connect (127.0.0.0/8, ::1). */
  loopback: boolean;
}

/** `127.0.0.1:8080`, `[::1]:8080`, `localhost:8080`, `0.0.0.0:8080`, `hostname:8080`; port 0 picks a free port. */
export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65_535) throw new HostFactoryError('INVALID_INPUT', `--listen ${text}: expected HOST:PORT, such as 127.0.0.1:8080 or [::1]:8080`);
  const host = match[1] ?? match[2];
  return { host, port, loopback: isLoopback(host) };
}

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  const lower = host.toLowerCase();
  return isIP(host) === 6 && (lower === '::1' || lower === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(lower));
}

/** Refuses an address beyond loopback when the config holds no SERVE_TOKEN: the API launches machines. */
export function checkTokenFor(address: ListenAddress, token: string | undefined, configFile: string): void {
  if (address.loopback || token) return;
  throw new HostFactoryError(
    'CONFIG_INVALID',
    `--listen ${address.host}:${address.port} is not a loopback address: set SERVE_TOKEN in ${configFile} (at least 16 characters; callers send it as "Authorization: Bearer <token>"), or listen on 127.0.0.1`,
  );
}

/** Whether an Authorization header carries `token` as a bearer token (compared in constant time). */
export function bearerTokenMatches(authorization: string | undefined, token: string): boolean {
  const given = /^Bearer +(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (!given) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}
