import type { FakeAutoScalingGroup } from './asg-model.js';
import type { FakeCloud } from './fake-cloud.js';
import { LIVE_STATES } from './fake-cloud.js';
import { fill, type PoolFailure } from './fleet-capacity.js';

type Record = (group: FakeAutoScalingGroup, description: string, cause: string, failed?: string, details?: string) => void;

/**
 * What a group does on every tick, process by process, as the Amazon EC2 Auto Scaling User Guide
 * documents them:
 *
 * - HealthCheck — "Health checks for Auto Scaling instances"
 *   (https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-health-checks.html): an
 *   instance "in any Amazon EC2 state other than running" (stopping, stopped, shutting-down,
 *   terminated) is unhealthy at once. With HealthCheck suspended nothing is marked unhealthy by these
 *   checks ("Suspend and resume processes", https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-suspend-resume-processes.html),
 *   so a lost instance stays in the group; health set by a user (markUnhealthy) still counts.
 * - ReplaceUnhealthy — "Terminates instances that are marked as unhealthy and then creates new
 *   instances to replace them" (same page). Scale-in protection does not protect from it nor from Spot
 *   interruptions ("Use instance scale-in protection",
 *   https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-instance-protection.html). It
 *   is inactive while Terminate is suspended. With ReplaceUnhealthy suspended an unhealthy instance
 *   stays as it is. With Launch suspended it "continues to terminate unhealthy instances, but does not
 *   launch replacements"; when Launch resumes the missing capacity is launched ("How suspended
 *   processes affect other processes",
 *   https://docs.aws.amazon.com/autoscaling/ec2/userguide/understand-how-suspending-processes-affects-other-processes.html).
 * - Launch — keeps the desired capacity (in weighted units), after the cloud's replacement delay
 *   once the group has been filled (AWS's evaluation lag).
 * - Terminate — scales in when the group holds more than the desired capacity: only instances not
 *   protected from scale in; when all are protected the group cannot, and its activity says "Could not
 *   scale to desired capacity because all remaining instances are protected from scale-in." (instance
 *   protection page). Which unprotected instance goes first is not modelled after AWS's termination
 *   policies: newest first.
 *
 * Launch failures (capacity, image) become Failed scaling activities described as AWS writes them
 * ("Launching a new EC2 instance.  Status Reason: Could not launch On-Demand Instances.
 * InsufficientInstanceCapacity - … Launching EC2 instance failed.", hashicorp/terraform#14480,
 * hashicorp/terraform-provider-aws#33062), with EC2's own reason inside: for a pool out of capacity
 * "We currently do not have sufficient <instance type> capacity in the Availability Zone you
 * requested (<requested Availability Zone>). …" ("Troubleshoot Amazon EC2 Auto Scaling: EC2 instance
 * launch failures", https://docs.aws.amazon.com/autoscaling/ec2/userguide/ts-as-instancelaunchfailure.html#ts-as-capacity-1),
 * and the failed pool's subnet and zone in Details (see FakeScalingActivity.details).
 */
export function reconcileGroup(cloud: FakeCloud, group: FakeAutoScalingGroup, record: Record): void {
  const running = (process: string) => !group.suspended.has(process);
  for (const [id, member] of group.members) {
    const instance = cloud.refresh(cloud.instances.get(id)!);
    if (member.leaving && instance.state === 'terminated') group.members.delete(id);
    else if (!member.leaving && running('HealthCheck') && !LIVE_STATES.has(instance.state)) member.health = 'Unhealthy';
  }
  if (running('ReplaceUnhealthy') && running('Terminate')) {
    for (const [id, member] of group.members) {
      if (member.leaving || member.health !== 'Unhealthy') continue;
      const instance = cloud.instances.get(id)!;
      cloud.terminate(instance);
      member.leaving = true;
      record(group, `Terminating EC2 instance: ${id}`, 'an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped.');
    }
  }
  const capacity = () => [...group.members.entries()].filter(([, member]) => !member.leaving).reduce((sum, [id]) => sum + cloud.instances.get(id)!.weight, 0);
  if (capacity() < group.target && running('Launch')) launchMissing(cloud, group, group.target - capacity(), record);
  else if (capacity() >= group.target) {
    group.filledOnce = true;
    group.shortSince = undefined;
  }
  if (capacity() > group.target && running('Terminate')) scaleIn(cloud, group, capacity() - group.target, record);
}

function launchMissing(cloud: FakeCloud, group: FakeAutoScalingGroup, missing: number, record: Record): void {
  if (group.filledOnce) {
    group.shortSince ??= cloud.now();
    if (cloud.now() - group.shortSince < cloud.replacementDelayMs) return;
  }
  const onDemandNow = [...group.members.keys()].map((id) => cloud.instances.get(id)!).filter((instance) => instance.lifecycle === 'on-demand' && !group.members.get(instance.instanceId)!.leaving);
  const onDemandUnits = Math.min(missing, Math.max(0, group.onDemandTarget - onDemandNow.reduce((sum, instance) => sum + instance.weight, 0)));
  const failures: PoolFailure[] = [];
  const launched = [...fill(cloud, group, onDemandUnits, 'on-demand', failures), ...fill(cloud, group, missing - onDemandUnits, 'spot', failures)];
  group.filledOnce = true;
  group.shortSince = undefined;
  for (const instance of launched) {
    group.members.set(instance.instanceId, { health: 'Healthy', protectedFromScaleIn: group.newInstancesProtectedFromScaleIn, leaving: false });
    record(group, `Launching a new EC2 instance: ${instance.instanceId}`, 'an instance was started in response to a difference between desired and actual capacity');
  }
  const seen = new Set<string>();
  for (const failure of failures) {
    const reason = `Could not launch ${failure.lifecycle === 'spot' ? 'Spot' : 'On-Demand'} Instances. ${failure.code} - ${failure.message} Launching EC2 instance failed.`;
    if (seen.has(reason)) continue;
    seen.add(reason);
    const subnetId = failure.override.subnetId;
    const zone = subnetId ? cloud.subnets.find(subnetId)?.zone : undefined;
    const details = subnetId && zone ? JSON.stringify({ 'Subnet ID': subnetId, 'Availability Zone': zone }) : undefined;
    record(group, `Launching a new EC2 instance.  Status Reason: ${reason}`, 'an instance was started in response to a difference between desired and actual capacity', reason, details);
  }
}

function scaleIn(cloud: FakeCloud, group: FakeAutoScalingGroup, excess: number, record: Record): void {
  const candidates = [...group.members.entries()]
    .filter(([, member]) => !member.leaving && !member.protectedFromScaleIn)
    .map(([id]) => cloud.instances.get(id)!)
    .sort((a, b) => b.launchTime - a.launchTime);
  let left = excess;
  for (const instance of candidates) {
    if (left < instance.weight) continue;
    cloud.terminate(instance);
    group.members.get(instance.instanceId)!.leaving = true;
    left -= instance.weight;
    record(group, `Terminating EC2 instance: ${instance.instanceId}`, 'an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity');
  }
  const last = group.activities.at(-1);
  if (candidates.length === 0 && last?.statusMessage !== PROTECTED) record(group, 'Terminating EC2 instance', 'a difference between desired and actual capacity', PROTECTED);
}

const PROTECTED = 'Could not scale to desired capacity because all remaining instances are protected from scale-in.';
