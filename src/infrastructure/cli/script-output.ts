import type { HostFactoryError } from '../../domain/errors.js';
import { errorResponse } from '../hostfactory/hostfactory-output.js';
import { EXIT_OK, exitCodeFor } from './exit-codes.js';

/** What a HostFactory script call prints and exits with; the same bytes whether it ran in-process or in `hostfactory serve`. */
export interface ScriptOutput {
  exitCode: number;
  stdout: string;
  /** Empty, or one line ending in a newline. */
  stderr: string;
}

export function scriptSuccess(response: Record<string, unknown>): ScriptOutput {
  return { exitCode: EXIT_OK, stdout: JSON.stringify(response) + '\n', stderr: '' };
}

/** The error response on stdout, and the same reason on stderr, one line, for HostFactory's own log and for anyone reading stderr. */
export function scriptFailure(error: HostFactoryError): ScriptOutput {
  const response = errorResponse(error);
  return { exitCode: exitCodeFor(error.code), stdout: JSON.stringify(response) + '\n', stderr: stderrLine(response.message) + '\n' };
}

/** One printable line: line breaks and the space around them become one space, other control characters a space, none at either end. */
export function stderrLine(message: string): string {
  // eslint-disable-next-line no-control-regex
  return message.replace(/\s*[\r\n]+\s*/g, ' ').replace(/[\x00-\x08\x0a-\x1f\x7f]/g, ' ').trim();
}
