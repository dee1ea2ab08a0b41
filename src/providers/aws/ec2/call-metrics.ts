import type { Metrics } from '../../../domain/ports/metrics.js';
import type { AwsService } from '../aws-config.js';
import { awsErrorCode } from './aws-errors.js';

/** What every SDK v3 client has: a middleware stack (typed loosely: each client's own types differ). */
interface WithMiddleware {
  middlewareStack: { add(middleware: unknown, options: { step: string; priority: string; name: string }): void };
}

/**
 * Counts every attempt a client sends (`ec2:RunInstances`…) into `metrics.cloudCall` with its
 * answer: `ok` or the error code. It sits at the top of the deserialize step, inside the SDK's
 * retries, so a throttled call retried twice counts three times, as AWS counts it.
 */
export function countCalls(client: WithMiddleware, service: AwsService, metrics: Metrics): void {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      const action = `${service}:${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`;
      try {
        const result = await next(args);
        metrics.cloudCall(action, 'ok');
        return result;
      } catch (error) {
        metrics.cloudCall(action, awsErrorCode(error) || 'Error');
        throw error;
      }
    },
    { step: 'deserialize', priority: 'high', name: 'hostfactoryCallMetrics' },
  );
}
