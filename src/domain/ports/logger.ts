import type { ServiceIdentifier } from 'inversify';

/** Structured logging; implementations write JSON lines to the provider's log dir, never stdout. */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export const Logger: ServiceIdentifier<Logger> = Symbol.for('Logger');
