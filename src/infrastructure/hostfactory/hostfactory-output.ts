import type { AvailableTemplates } from '../../application/get-available-templates.js';
import type { RequestStatusView } from '../../application/get-request-status.js';
import type { HostFactoryError } from '../../domain/errors.js';
import { machineFailureMessage, machineResult, type Machine } from '../../domain/machine.js';
import type { Reclaim } from '../../domain/ports/cloud-provider.js';
import type { TemplateProblem } from '../../domain/ports/template-repository.js';
import { formatInstanceTags } from '../../domain/template.js';

/** Template keys HostFactory gets in their own shape; every other key is echoed as written. */
const MAPPED_KEYS = new Set(['templateId', 'maxNumber', 'attributes']);

export function templatesResponse(result: AvailableTemplates): Record<string, unknown> {
  const templates = result.templates.map(({ template, availableNumber, requestedMachines }) => {
    const echoed = Object.fromEntries(Object.entries(template.raw).filter(([key]) => !MAPPED_KEYS.has(key)));
    return {
      ...echoed,
      templateId: template.templateId,
      maxNumber: template.maxNumber,
      ...(availableNumber === undefined ? {} : { availableNumber }),
      requestedMachines,
      attributes: template.attributes,
    };
  });
  const response: Record<string, unknown> = { templates };
  if (result.problems.length > 0) response.message = problemsMessage(result.problems);
  return response;
}

export function problemsMessage(problems: readonly TemplateProblem[]): string {
  const lines = problems.map((p) => `${p.file}${p.templateId ? ` template ${p.templateId}` : ''}${p.field ? ` field ${p.field}` : ''}: ${p.message}`);
  return `${problems.length} template problem(s), left out: ${lines.join('; ')}`;
}

export function requestStatusResponse(views: readonly RequestStatusView[]): Record<string, unknown> {
  return {
    requests: views.map((view) => ({
      requestId: view.requestId,
      status: view.status,
      message: view.message,
      machines: view.machines.map((machine) => machineResponse(machine, view)),
    })),
  };
}

function machineResponse(machine: Machine, view: RequestStatusView): Record<string, unknown> {
  const result = machineResult(machine, view.kind);
  return {
    machineId: machine.machineId,
    name: machine.name || machine.machineId,
    result,
    status: machine.status,
    privateIpAddress: machine.privateIpAddress,
    publicIpAddress: machine.publicIpAddress,
    launchtime: Math.max(0, Math.floor(machine.launchTime)),
    message: result === 'fail' ? machineFailureMessage(machine) : '',
    priceType: machine.priceType,
    instanceType: machine.instanceType,
    instanceTags: formatInstanceTags(machine.instanceTags),
    cloudHostId: machine.cloudHostId,
  };
}

export function returnRequestsResponse(reclaims: readonly Reclaim[]): Record<string, unknown> {
  return {
    status: 'complete',
    message: reclaims.length > 0 ? `${reclaims.length} host(s) being reclaimed by the cloud` : '',
    requests: reclaims.map((reclaim) => ({
      machine: reclaim.name || reclaim.machineId,
      machineId: reclaim.machineId,
      gracePeriod: Math.max(0, Math.floor(reclaim.gracePeriod)),
    })),
  };
}

export function errorResponse(error: HostFactoryError): Record<string, unknown> {
  return { message: error.message || error.code, code: error.code };
}
