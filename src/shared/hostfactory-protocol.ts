/**
 * What the scripts, `hostfactory serve` and its small client (src/client/) must agree on. The
 * client bundles this file: it imports nothing.
 */

export const HOSTFACTORY_OPERATIONS = [
  'getAvailableTemplates',
  'requestMachines',
  'getRequestStatus',
  'requestReturnMachines',
  'getReturnRequests',
] as const;
export type HostFactoryOperation = (typeof HOSTFACTORY_OPERATIONS)[number];

export function isHostFactoryOperation(name: string | undefined): name is HostFactoryOperation {
  return (HOSTFACTORY_OPERATIONS as readonly string[]).includes(name ?? '');
}

/**
 * Operations safe to run a second time when the server received a call and died before answering:
 * they launch nothing and give nothing back (status polls re-launch only under the request's own
 * idempotency token). requestMachines and requestReturnMachines are not: a second run would make a
 * second request HostFactory never hears of.
 */
export const REPEATABLE_OPERATIONS: ReadonlySet<HostFactoryOperation> = new Set(['getAvailableTemplates', 'getRequestStatus', 'getReturnRequests']);

/** The server's unix socket, in the provider instance's work dir (scripts/run-operation.sh names it too). */
export const SOCKET_FILE_NAME = 'hostfactory.sock';

/** The exit code the script would have had; only on answers of a call the server ran. */
export const EXIT_CODE_HEADER = 'x-hostfactory-exit-code';
/** The line the script would have written on stderr (UTF-8 bytes), when it writes one. */
export const STDERR_HEADER = 'x-hostfactory-stderr';
/** The `-f` file the input came from, named in the error when it is not valid JSON (UTF-8 bytes). */
export const INPUT_FILE_HEADER = 'x-hostfactory-input-file';

/**
 * What the script prints (stdout, and the same reason on stderr) when the server took a call that
 * is not repeatable and ended without answering. scripts/run-operation.sh prints the same bytes.
 */
export function lostCallMessage(operation: HostFactoryOperation): string {
  return `the hostfactory server of this provider instance received this ${operation} call and ended before answering; it may have been carried out, so it is not run again: see the server's log and \`hostfactory requests list\``;
}

/**
 * Text carried in a header as its raw UTF-8 bytes (node writes a string's chars 0x80-0xff as single
 * bytes, and reads header bytes back the same way), so that curl in a shell can print it as is.
 * Only text that survives a header can go: no control characters, no whitespace at either end.
 */
export function toHeaderBytes(text: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(text) || text !== text.trim()) return undefined;
  return Buffer.from(text, 'utf8').toString('latin1');
}

export function fromHeaderBytes(value: string): string {
  return Buffer.from(value, 'latin1').toString('utf8');
}
