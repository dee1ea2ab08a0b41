import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger as Pino } from 'pino';
import type { Logger } from '../../domain/ports/logger.js';

export interface LogSettings {
  logDir: string;
  providerName: string;
  level: string;
}

/** JSON lines in `<logDir>/<providerName>-provider.log`, written synchronously so nothing is lost at exit. */
export class PinoLogger implements Logger {
  private constructor(private readonly pino: Pino) {}

  static open(settings: LogSettings, bindings: Record<string, unknown> = {}): PinoLogger {
    mkdirSync(settings.logDir, { recursive: true });
    const destination = pino.destination({ dest: logFile(settings), sync: true, mkdir: true });
    return new PinoLogger(
      pino(
        { level: settings.level, serializers: { err: pino.stdSerializers.errWithCause }, base: { pid: process.pid, provider: settings.providerName, ...bindings }, timestamp: pino.stdTimeFunctions.isoTime },
        destination,
      ),
    );
  }

  debug(fields: Record<string, unknown>, message: string): void {
    this.pino.debug(fields, message);
  }

  info(fields: Record<string, unknown>, message: string): void {
    this.pino.info(fields, message);
  }

  warn(fields: Record<string, unknown>, message: string): void {
    this.pino.warn(fields, message);
  }

  error(fields: Record<string, unknown>, message: string): void {
    this.pino.error(fields, message);
  }
}

export function logFile(settings: Pick<LogSettings, 'logDir' | 'providerName'>): string {
  return join(settings.logDir, `${settings.providerName}-provider.log`);
}
