import { inject, injectable } from 'inversify';
import { toHostFactoryError } from '../domain/errors.js';
import { CapacityMemory } from '../domain/ports/capacity-memory.js';
import { Clock } from '../domain/ports/clock.js';
import { CloudProvider } from '../domain/ports/cloud-provider.js';
import type { HealthCheck, HealthFinding } from '../domain/ports/health-check.js';
import { RequestRepository } from '../domain/ports/request-repository.js';
import { TemplateRepository } from '../domain/ports/template-repository.js';

/** Clock skew against the cloud that is reported as a warning, then as a failure (SigV4 refuses requests 5 minutes off). */
export const CLOCK_SKEW_WARN_MS = 10_000;
export const CLOCK_SKEW_FAIL_MS = 300_000;

const failed = (error: unknown): HealthFinding[] => {
  const reason = toHostFactoryError(error);
  return [{ status: 'fail', message: `${reason.code}: ${reason.message}` }];
};

/** Every template file parses and every template is valid; with none valid HostFactory can launch nothing. */
@injectable()
export class TemplatesHealth implements HealthCheck {
  readonly component = 'templates';
  constructor(@inject(TemplateRepository) private readonly templates: TemplateRepository) {}

  async run(): Promise<HealthFinding[]> {
    try {
      const { templates, problems } = await this.templates.list();
      if (problems.length > 0) {
        const named = problems.map((problem) => `${[problem.file, problem.templateId, problem.field].filter(Boolean).join(' ')}: ${problem.message}`).join('; ');
        // Broken templates are left out and the others still serve HostFactory: a warning, unless none is left.
        return [{ status: templates.length > 0 ? 'warn' : 'fail', message: `${problems.length} broken (${named}); ${templates.length} valid` }];
      }
      if (templates.length === 0) return [{ status: 'fail', message: 'no template defined' }];
      return [{ status: 'ok', message: `${templates.length} templates valid` }];
    } catch (error) {
      return failed(error);
    }
  }
}

/**
 * The store answers a read of the outstanding requests (it was opened, so its schema is the latest)
 * and a read of the capacity memory: a DynamoDB store upgraded without `hostfactory store init`
 * lacks the `<prefix>unavailable-offerings` table, which the first launch would otherwise be the
 * one to find.
 */
@injectable()
export class StoreHealth implements HealthCheck {
  readonly component = 'store';
  constructor(
    @inject(RequestRepository) private readonly requests: RequestRepository,
    @inject(CapacityMemory) private readonly memory: CapacityMemory,
    @inject(Clock) private readonly clock: Clock,
  ) {}

  async run(): Promise<HealthFinding[]> {
    let outstanding: number;
    try {
      outstanding = (await this.requests.listOutstanding()).length;
    } catch (error) {
      return failed(error);
    }
    try {
      const remembered = (await this.memory.unavailable(this.clock.now())).length;
      const pools = remembered > 0 ? `; ${remembered} pools remembered out of capacity` : '';
      return [{ status: 'ok', message: `reachable and migrated; ${outstanding} requests outstanding${pools}` }];
    } catch (error) {
      const reason = toHostFactoryError(error);
      return [{ status: 'fail', message: `capacity memory not readable: ${reason.code}: ${reason.message}` }];
    }
  }
}

/** One cheap cloud call: credentials valid and the region reachable; the cloud's clock against ours. */
@injectable()
export class CloudHealth implements HealthCheck {
  readonly component = 'cloud';
  constructor(@inject(CloudProvider) private readonly cloud: CloudProvider) {}

  async run(): Promise<HealthFinding[]> {
    if (!this.cloud.checkAccess) return [{ status: 'warn', message: 'this cloud provider has no access probe' }];
    try {
      const access = await this.cloud.checkAccess();
      return [{ status: 'ok', message: access.message }, clockFinding(access.clockSkewMs)];
    } catch (error) {
      return failed(error);
    }
  }
}

function clockFinding(skewMs: number | undefined): HealthFinding {
  const component = 'clock';
  if (skewMs === undefined) return { component, status: 'ok', message: 'the cloud does not tell its time; not compared' };
  const seconds = `${skewMs >= 0 ? 'behind' : 'ahead of'} the cloud by ${(Math.abs(skewMs) / 1000).toFixed(0)} s`;
  if (Math.abs(skewMs) >= CLOCK_SKEW_FAIL_MS) return { component, status: 'fail', message: `${seconds}: AWS refuses signed requests beyond 5 minutes; fix NTP` };
  if (Math.abs(skewMs) >= CLOCK_SKEW_WARN_MS) return { component, status: 'warn', message: `${seconds}: grace periods reported to HostFactory are off by as much` };
  return { component, status: 'ok', message: `${seconds} (within ${CLOCK_SKEW_WARN_MS / 1000} s)` };
}
