import type { Machine, MachinePriceType, MachineState } from '../../../domain/machine.js';
import type { Request, RequestKind, RequestStatus } from '../../../domain/request.js';

const LIVE: Record<Exclude<MachineState, 'terminated'>, true> = {
  pending: true,
  running: true,
  stopping: true,
  stopped: true,
  'shutting-down': true,
};

/** Every state but terminated (see `holdsCapacity`): `listLive` asks for these through the status index. */
export const LIVE_MACHINE_STATES: readonly MachineState[] = Object.keys(LIVE) as MachineState[];

/** A `requests` row. Big integers come back from PostgreSQL as strings. */
export interface RequestRow {
  request_id: string;
  kind: string;
  status: string;
  template_id: string | null;
  machine_count: number | string;
  message: string | null;
  provider_name: string;
  provider_data: string;
  created_at: number | string;
  updated_at: number | string;
  version: number | string;
}

/** A `machines` row. */
export interface MachineRow {
  machine_id: string;
  name: string;
  request_id: string;
  template_id: string;
  return_request_id: string | null;
  status: string;
  failure_message: string | null;
  private_ip_address: string | null;
  public_ip_address: string | null;
  launch_time: number | string;
  instance_type: string;
  price_type: string;
  weight: number | string;
  instance_tags: string;
  cloud_host_id: string | null;
  resource_id: string | null;
  notice_deadline: number | string | null;
  notice_reason: string | null;
  region: string | null;
  version: number | string;
  updated_at: number | string;
}

export function requestToRow(request: Request): RequestRow {
  return {
    request_id: request.requestId,
    kind: request.kind,
    status: request.status,
    template_id: request.templateId ?? null,
    machine_count: request.machineCount,
    message: request.message ?? null,
    provider_name: request.providerName,
    provider_data: JSON.stringify(request.providerData ?? {}),
    created_at: request.createdAt,
    updated_at: request.updatedAt,
    version: request.version,
  };
}

export function rowToRequest(row: RequestRow): Request {
  const request: Request = {
    requestId: row.request_id,
    kind: row.kind as RequestKind,
    status: row.status as RequestStatus,
    machineCount: Number(row.machine_count),
    providerName: row.provider_name,
    providerData: JSON.parse(row.provider_data) as Record<string, unknown>,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    version: Number(row.version),
  };
  if (row.template_id !== null) request.templateId = row.template_id;
  if (row.message !== null) request.message = row.message;
  return request;
}

export function machineToRow(machine: Machine): MachineRow {
  return {
    machine_id: machine.machineId,
    name: machine.name,
    request_id: machine.requestId,
    template_id: machine.templateId,
    return_request_id: machine.returnRequestId ?? null,
    status: machine.status,
    failure_message: machine.failureMessage ?? null,
    private_ip_address: machine.privateIpAddress,
    public_ip_address: machine.publicIpAddress,
    launch_time: machine.launchTime,
    instance_type: machine.instanceType,
    price_type: machine.priceType,
    weight: machine.weight,
    instance_tags: JSON.stringify(machine.instanceTags ?? {}),
    cloud_host_id: machine.cloudHostId,
    resource_id: machine.resourceId ?? null,
    notice_deadline: machine.notice?.deadline ?? null,
    notice_reason: machine.notice?.reason ?? null,
    region: machine.region ?? null,
    version: machine.version,
    updated_at: machine.updatedAt,
  };
}

export function rowToMachine(row: MachineRow): Machine {
  const machine: Machine = {
    machineId: row.machine_id,
    name: row.name,
    requestId: row.request_id,
    templateId: row.template_id,
    status: row.status as MachineState,
    privateIpAddress: row.private_ip_address,
    publicIpAddress: row.public_ip_address,
    launchTime: Number(row.launch_time),
    instanceType: row.instance_type,
    priceType: row.price_type as MachinePriceType,
    weight: Number(row.weight),
    instanceTags: JSON.parse(row.instance_tags) as Record<string, string>,
    cloudHostId: row.cloud_host_id,
    version: Number(row.version),
    updatedAt: Number(row.updated_at),
  };
  if (row.return_request_id !== null) machine.returnRequestId = row.return_request_id;
  if (row.failure_message !== null) machine.failureMessage = row.failure_message;
  if (row.resource_id !== null) machine.resourceId = row.resource_id;
  if (row.region !== null) machine.region = row.region;
  if (row.notice_deadline !== null && row.notice_reason !== null) machine.notice = { deadline: Number(row.notice_deadline), reason: row.notice_reason };
  return machine;
}
