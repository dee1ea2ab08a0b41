import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../../../src/domain/ports/clock.js';
import type { Logger } from '../../../../src/domain/ports/logger.js';
import type { LaunchResult, TrackedRequest } from '../../../../src/domain/ports/cloud-provider.js';
import { newMachine, type Machine } from '../../../../src/domain/machine.js';
import type { Request } from '../../../../src/domain/request.js';
import type { Template } from '../../../../src/domain/template.js';
import { SimCloudProvider } from '../../../../src/providers/sim/sim-cloud-provider.js';
import { SimCloudConsole } from '../../../../src/providers/sim/sim-cloud-console.js';
import { parseSimConfig } from '../../../../src/providers/sim/sim-config.js';
import { SIM_STATE_FILE_NAME, type SimCloudSettings } from '../../../../src/providers/sim/sim-cloud-settings.js';
import { SIM_START_MS as START_MS } from '../../../support/mothers.js';

/** A clock tests move by hand. */
export class FakeClock implements Clock {
  constructor(public ms = START_MS) {}
  now(): number {
    return this.ms;
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

/** Keeps log entries so tests can look at them; never prints. */
export class MemoryLogger implements Logger {
  readonly entries: Array<{ level: string; fields: Record<string, unknown>; message: string }> = [];
  debug(fields: Record<string, unknown>, message: string): void {
    this.entries.push({ level: 'debug', fields, message });
  }
  info(fields: Record<string, unknown>, message: string): void {
    this.entries.push({ level: 'info', fields, message });
  }
  warn(fields: Record<string, unknown>, message: string): void {
    this.entries.push({ level: 'warn', fields, message });
  }
  error(fields: Record<string, unknown>, message: string): void {
    this.entries.push({ level: 'error', fields, message });
  }
}

/** A fresh work dir; `cleanup` removes it. */
export function makeWorkDir(): { dir: string; stateFile: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sim-cloud-'));
  return { dir, stateFile: join(dir, SIM_STATE_FILE_NAME), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function makeSettings(stateFile: string, raw: Record<string, unknown> = {}): SimCloudSettings {
  return { config: parseSimConfig(raw, 'simprov_config.json'), stateFile, providerName: 'siminst' };
}

export interface SimWorld {
  clock: FakeClock;
  logger: MemoryLogger;
  settings: SimCloudSettings;
  provider: SimCloudProvider;
  console: SimCloudConsole;
  /** Another provider on the same state file, as a second HostFactory process would open it. */
  otherProcess(): SimCloudProvider;
  close(): Promise<void>;
}

export function makeSimWorld(raw: Record<string, unknown> = {}): SimWorld {
  const workDir = makeWorkDir();
  const clock = new FakeClock();
  const logger = new MemoryLogger();
  const settings = makeSettings(workDir.stateFile, raw);
  const opened: Array<{ close(): Promise<void> }> = [];
  const track = <T extends { close(): Promise<void> }>(item: T): T => {
    opened.push(item);
    return item;
  };
  return {
    clock,
    logger,
    settings,
    provider: track(new SimCloudProvider(settings, clock, logger)),
    console: track(new SimCloudConsole(settings, clock)),
    otherProcess: () => track(new SimCloudProvider(settings, clock, logger)),
    close: async () => {
      await Promise.all(opened.map((item) => item.close()));
      workDir.cleanup();
    },
  };
}

/** The store records HostFactory would keep for what a launch returned. */
export function machinesOf(result: LaunchResult, requestId: string, templateId: string, now = START_MS): Machine[] {
  return result.machines.map((seen) => newMachine(requestId, templateId, seen, now));
}

export function tracked(request: Request, template: Template, machines: Machine[] = []): TrackedRequest {
  return { request, template, machines };
}
