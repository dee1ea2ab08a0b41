import type { Machine } from '../../domain/machine.js';
import type { Metrics, Outcome } from '../../domain/ports/metrics.js';
import type { Request } from '../../domain/request.js';

type PromClient = typeof import('prom-client');

/** What the gauges show: read from the store when metrics are rendered. */
export interface StoreState {
  outstanding: readonly Request[];
  live: readonly Machine[];
}

const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const STORE_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];

/** The kind of reason a host is reclaimed for, from the reason text the providers write. */
export function reclaimKind(reason: string): string {
  if (/spot interruption/i.test(reason)) return 'spot_interruption';
  if (/rebalance/i.test(reason)) return 'rebalance';
  if (/scheduled/i.test(reason)) return 'scheduled_change';
  if (/not in the store/i.test(reason)) return 'untracked_host';
  if (/terminated|stopped|stopping|shutting-down|no longer exists|reclaimed/i.test(reason)) return 'gone';
  return 'other';
}

/** Metrics in a prom-client registry of their own (prom-client is imported only when metrics are on). */
export class PromMetrics implements Metrics {
  readonly registry: InstanceType<PromClient['Registry']>;
  private readonly operations;
  private readonly operationSeconds;
  private readonly cloudCalls;
  private readonly storeSeconds;
  private readonly storeConflicts;
  private readonly reclaims;
  private readonly finished;
  private readonly outstanding;
  private readonly machines;
  private readonly gaugeType: PromClient['Gauge'];

  static async create(): Promise<PromMetrics> {
    return new PromMetrics(await import('prom-client'));
  }

  private constructor(prom: PromClient) {
    const registry = new prom.Registry();
    const registers = [registry];
    this.gaugeType = prom.Gauge;
    this.registry = registry;
    this.operations = new prom.Counter({ name: 'hostfactory_operations_total', help: 'HostFactory operations by name and outcome (ok or error code)', labelNames: ['operation', 'outcome'] as const, registers });
    this.operationSeconds = new prom.Histogram({ name: 'hostfactory_operation_duration_seconds', help: 'Duration of HostFactory operations', labelNames: ['operation'] as const, buckets: DURATION_BUCKETS, registers });
    this.cloudCalls = new prom.Counter({ name: 'hostfactory_cloud_api_calls_total', help: 'Cloud API calls by action and answer (ok or the error code)', labelNames: ['action', 'outcome'] as const, registers });
    this.storeSeconds = new prom.Histogram({ name: 'hostfactory_store_operation_duration_seconds', help: 'Latency of store calls', labelNames: ['operation'] as const, buckets: STORE_BUCKETS, registers });
    this.storeConflicts = new prom.Counter({ name: 'hostfactory_store_conflicts_total', help: 'Store writes that lost an optimistic race (retried)', labelNames: ['operation'] as const, registers });
    this.reclaims = new prom.Counter({ name: 'hostfactory_reclaims_total', help: 'Hosts reported to HostFactory as being taken back, by kind of reason', labelNames: ['reason'] as const, registers });
    this.finished = new prom.Counter({ name: 'hostfactory_requests_finished_total', help: 'Requests that reached a final status', labelNames: ['kind', 'status'] as const, registers });
    this.outstanding = new prom.Gauge({ name: 'hostfactory_requests_outstanding', help: 'Requests still running, by kind', labelNames: ['kind'] as const, registers });
    this.machines = new prom.Gauge({ name: 'hostfactory_machines', help: 'Machines not terminated, by state and template', labelNames: ['state', 'template'] as const, registers });
  }

  operation(operation: string, outcome: Outcome, seconds: number): void {
    this.operations.inc({ operation, outcome });
    this.operationSeconds.observe({ operation }, seconds);
  }

  cloudCall(action: string, outcome: Outcome): void {
    this.cloudCalls.inc({ action, outcome });
  }

  storeCall(operation: string, seconds: number, conflict: boolean): void {
    this.storeSeconds.observe({ operation }, seconds);
    if (conflict) this.storeConflicts.inc({ operation });
  }

  reclaim(reason: string): void {
    this.reclaims.inc({ reason: reclaimKind(reason) });
  }

  requestFinished(kind: string, status: string): void {
    this.finished.inc({ kind, status });
  }

  /**
   * The Prometheus text format, gauges set from `state`; without a state (the store could not be
   * read) the gauges are left out, so a merged textfile keeps their last known values.
   */
  async render(state?: StoreState): Promise<string> {
    if (!state) {
      const families = this.registry.getMetricsAsArray().filter((metric) => !(metric instanceof this.gaugeType));
      return (await Promise.all(families.map((metric) => this.registry.getSingleMetricAsString(metric.name)))).join('\n') + '\n';
    }
    this.outstanding.reset();
    for (const kind of ['acquire', 'return']) this.outstanding.set({ kind }, state.outstanding.filter((request) => request.kind === kind).length);
    this.machines.reset();
    const counts = new Map<string, { state: string; template: string; count: number }>();
    for (const machine of state.live) {
      const key = `${machine.status}\u0000${machine.templateId}`;
      const entry = counts.get(key) ?? { state: machine.status, template: machine.templateId, count: 0 };
      entry.count += 1;
      counts.set(key, entry);
    }
    for (const entry of counts.values()) this.machines.set({ state: entry.state, template: entry.template }, entry.count);
    return this.registry.metrics();
  }
}
