import type { Machine } from '../../../domain/machine.js';
import { awsReason } from '../ec2/aws-errors.js';
import type { AwsContext } from './api-handler.js';

/**
 * Terminates machines and says which could not be: an id EC2 does not know yet is not proof the
 * instance is gone when it was launched less than AWS_INSTANCE_PENDING_TIMEOUT_SEC ago (EC2 is
 * eventually consistent), so such a machine is reported failed and tried again later.
 */
export async function terminateMachines(context: AwsContext, machines: readonly Machine[]): Promise<Record<string, string>> {
  if (machines.length === 0) return {};
  const { unconfirmed } = await context.gateway.instances.terminate(machines.map((machine) => machine.machineId));
  const failed: Record<string, string> = {};
  const nowSec = context.clock.now() / 1000;
  for (const machine of machines) {
    if (!unconfirmed.includes(machine.machineId)) continue;
    if (nowSec - machine.launchTime < context.config.instancePendingTimeoutSec) failed[machine.machineId] = 'not visible in EC2 yet (eventual consistency); termination is retried';
  }
  return failed;
}

/** Collects what could not be released, and why, across the resources of one release. */
export class ReleaseFailures {
  readonly failed: Record<string, string> = {};
  readonly errors: unknown[] = [];

  add(failed: Record<string, string>): void {
    Object.assign(this.failed, failed);
  }

  /** Every machine of `groups` failed with `error`. */
  addError(groups: ReadonlyArray<{ machines: readonly Machine[] }>, error: unknown): void {
    this.errors.push(error);
    for (const group of groups) for (const machine of group.machines) this.failed[machine.machineId] = awsReason(error);
  }
}
