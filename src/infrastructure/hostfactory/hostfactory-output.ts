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

export function errorResponse(error: HostFactoryError): { message: string; code: string } {
  return { message: boundedMessage(error.message || error.code), code: error.code };
}

/** HostFactory logs a message every time it reads one (every status poll): none it sees is longer than this, in UTF-8 bytes. */
export const MESSAGE_LIMIT_BYTES = 2048;
const CUT_MARK = ' … (cut at 2 KB)';

/** The message as it is when it fits in MESSAGE_LIMIT_BYTES, else its start, cut between characters, and a mark. */
export function boundedMessage(message: string): string {
  const bytes = Buffer.from(message, 'utf8');
  if (bytes.length <= MESSAGE_LIMIT_BYTES) return message;
  let end = MESSAGE_LIMIT_BYTES - Buffer.byteLength(CUT_MARK);
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--; // 10xxxxxx continues a character: cut before it
  return bytes.subarray(0, end).toString('utf8') + CUT_MARK;
}

/** The response with every `message` in it, at any depth (request, machine), bounded by boundedMessage. */
export function withBoundedMessages<T>(response: T): T {
  if (Array.isArray(response)) return response.map(withBoundedMessages) as T;
  if (response === null || typeof response !== 'object') return response;
  return Object.fromEntries(
    Object.entries(response).map(([key, value]) => [key, key === 'message' && typeof value === 'string' ? boundedMessage(value) : withBoundedMessages(value)]),
  ) as T;
}
