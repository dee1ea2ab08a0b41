import { machineResult, type Machine } from './machine.js';
import type { Request, RequestStatus } from './request.js';

export interface Progress {
  status: RequestStatus;
  message?: string;
}

export interface AcquireFacts {
  /** The cloud will add no more instances for this request. */
  final: boolean;
  /** The cloud's reason when it is short. */
  cloudMessage?: string;
}

/**
 * Where an acquire request stands: `complete` once every unit asked for runs, `complete_with_error`
 * once the cloud is done and the request is short or a machine failed, `running` otherwise.
 */
export function acquireProgress(request: Request, machines: readonly Machine[], facts: AcquireFacts): Progress {
  const results = machines.map((machine) => ({ machine, result: machineResult(machine, 'acquire') }));
  const executing = results.filter((entry) => entry.result === 'executing').length;
  const failed = results.filter((entry) => entry.result === 'fail').length;
  const runningUnits = results
    .filter((entry) => entry.result === 'succeed')
    .reduce((sum, entry) => sum + entry.machine.weight, 0);
  const fulfilled = runningUnits >= request.machineCount;

  if (executing > 0) return { status: 'running', message: facts.cloudMessage };
  if (fulfilled && failed === 0) return { status: 'complete' };
  if (!facts.final && !fulfilled) return { status: 'running', message: facts.cloudMessage };

  const parts = [`${runningUnits} of ${request.machineCount} units running`];
  if (failed > 0) parts.push(`${failed} machine(s) failed`);
  if (facts.cloudMessage) parts.push(facts.cloudMessage);
  return { status: 'complete_with_error', message: parts.join('; ') };
}

/** A return request is complete once every machine it gave back is gone. */
export function returnProgress(machines: readonly Machine[]): Progress {
  const left = machines.filter((machine) => machineResult(machine, 'return') !== 'succeed').length;
  if (left > 0) return { status: 'running', message: `${left} of ${machines.length} machine(s) still shutting down` };
  return { status: 'complete', message: machines.length === 0 ? 'No Active VM.' : 'Delete VM success.' };
}
