import { inject, injectable, multiInject, optional } from 'inversify';
import { Clock } from '../domain/ports/clock.js';
import { HealthCheck, type HealthStatus } from '../domain/ports/health-check.js';

/** A check that takes longer than this fails (a hung store or endpoint must not hang the report). */
const CHECK_TIMEOUT_MS = 15_000;

export interface HealthResult {
  component: string;
  status: HealthStatus;
  latencyMs: number;
  message: string;
}

export interface HealthReport {
  /** `fail` when a check failed, `degraded` when one warned, else `ok`. */
  status: 'ok' | 'degraded' | 'fail';
  checks: HealthResult[];
}

/** Runs every registered HealthCheck at once, each timed and bounded. */
@injectable()
export class CheckHealth {
  constructor(
    @multiInject(HealthCheck) @optional() private readonly checks: HealthCheck[] = [],
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(): Promise<HealthReport> {
    const results = (await Promise.all(this.checks.map((check) => this.timed(check)))).flat();
    return { status: overall(results.map((result) => result.status)), checks: results };
  }

  private async timed(check: HealthCheck): Promise<HealthResult[]> {
    const started = this.clock.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<HealthResult[]>((resolve) => {
      timer = setTimeout(() => resolve([{ component: check.component, status: 'fail', latencyMs: CHECK_TIMEOUT_MS, message: `no answer within ${CHECK_TIMEOUT_MS / 1000} s` }]), CHECK_TIMEOUT_MS);
    });
    const findings = check.run().then((found) =>
      found.map((finding) => ({ component: finding.component ?? check.component, status: finding.status, message: finding.message, latencyMs: this.clock.now() - started })),
    );
    try {
      return await Promise.race([findings, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

export function overall(statuses: readonly HealthStatus[]): HealthReport['status'] {
  if (statuses.includes('fail')) return 'fail';
  return statuses.includes('warn') ? 'degraded' : 'ok';
}
