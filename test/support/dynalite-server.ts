import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import dynalite from 'dynalite';

export interface DynaliteServer {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  /** A table prefix no other test uses on this server. */
  uniquePrefix(): string;
  stop(): Promise<void>;
}

/**
 * Starts an in-memory dynalite on a free port, with instant table changes, and sets fake AWS
 * credentials and region in the environment (the SDK needs some; dynalite ignores them).
 */
export async function startDynalite(): Promise<DynaliteServer> {
  process.env.AWS_ACCESS_KEY_ID ??= 'test-access-key';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test-secret-key';
  process.env.AWS_REGION ??= 'us-east-1';
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    uniquePrefix: () => `hf-${randomUUID().slice(0, 8)}-`,
    stop: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
