import type { Instance } from '@aws-sdk/client-ec2';
import type { CloudMachine, MachineState } from '../../domain/machine.js';
import type { CloudHost } from '../../domain/ports/cloud-provider.js';
import { fromEc2Tags, TAG_PROVIDER, TAG_REQUEST_ID, TAG_TEMPLATE_ID } from './resource-tags.js';

const STATES = new Set<MachineState>(['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated']);

export interface MappingContext {
  /** Units the instance counts for (its type's weight under the template). */
  weight: number;
  resourceId?: string;
}

/** An EC2 instance as the domain sees it: name = private DNS name, price type from the lifecycle. */
export function toCloudMachine(instance: Instance, context: MappingContext): CloudMachine {
  const stateName = instance.State?.Name as MachineState | undefined;
  const status: MachineState = stateName && STATES.has(stateName) ? stateName : 'pending';
  const machine: CloudMachine = {
    machineId: instance.InstanceId ?? '',
    name: instance.PrivateDnsName || instance.PrivateIpAddress || '',
    status,
    privateIpAddress: instance.PrivateIpAddress ?? null,
    publicIpAddress: instance.PublicIpAddress ?? null,
    launchTime: instance.LaunchTime ? Math.floor(instance.LaunchTime.getTime() / 1000) : 0,
    instanceType: instance.InstanceType ?? '',
    priceType: instance.InstanceLifecycle === 'spot' ? 'spot' : 'ondemand',
    weight: context.weight,
    instanceTags: fromEc2Tags(instance.Tags),
    cloudHostId: instance.Placement?.HostId ?? null,
    resourceId: context.resourceId,
  };
  if (status !== 'pending' && status !== 'running') {
    const reason = instance.StateReason?.Message ?? instance.StateTransitionReason;
    if (reason) machine.failureMessage = reason;
  }
  return machine;
}

/** An instance found by id or name, with the owner its tags name. */
export function toCloudHost(instance: Instance): CloudHost {
  const machine = toCloudMachine(instance, { weight: 1 });
  return {
    ...machine,
    providerName: machine.instanceTags[TAG_PROVIDER],
    requestId: machine.instanceTags[TAG_REQUEST_ID],
    templateId: machine.instanceTags[TAG_TEMPLATE_ID],
  };
}

/** A machine the cloud no longer knows: reported terminated. */
export function goneMachine(base: Omit<CloudMachine, 'status' | 'failureMessage'>): CloudMachine {
  return { ...base, status: 'terminated', failureMessage: 'instance no longer exists in EC2' };
}
