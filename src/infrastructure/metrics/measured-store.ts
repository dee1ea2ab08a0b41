import { performance } from 'node:perf_hooks';
import { isHostFactoryError } from '../../domain/errors.js';
import type { Metrics } from '../../domain/ports/metrics.js';

/**
 * `port` with every method call timed into `metrics.storeCall('<name>.<method>')`; a call that
 * fails with STORAGE_CONFLICT (an optimistic race lost) is counted as a conflict.
 */
export function measured<T extends object>(port: T, name: string, metrics: Metrics): T {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        const started = performance.now();
        const record = (conflict: boolean) => metrics.storeCall(`${name}.${property}`, (performance.now() - started) / 1000, conflict);
        const result = (value as (...callArgs: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        return result.then(
          (resolved) => {
            record(false);
            return resolved;
          },
          (error: unknown) => {
            record(isHostFactoryError(error) && error.code === 'STORAGE_CONFLICT');
            throw error;
          },
        );
      };
    },
  });
}
