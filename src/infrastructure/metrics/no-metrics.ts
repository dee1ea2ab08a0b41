import type { Metrics } from '../../domain/ports/metrics.js';

/** Metrics off (no server, no METRICS_TEXTFILE_DIR): nothing is counted and prom-client is never loaded. */
export class NoMetrics implements Metrics {
  operation(): void {}
  cloudCall(): void {}
  storeCall(): void {}
  reclaim(): void {}
  requestFinished(): void {}
}
