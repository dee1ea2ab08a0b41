import { holdsCapacity, type Machine } from '../../../domain/machine.js';
import type { Request } from '../../../domain/request.js';
import { LIVE_MARK, OUTSTANDING_MARK } from './dynamodb-table-design.js';

type Item = Record<string, unknown>;

/** Attributes that exist only to feed sparse indexes; never part of the entity. */
const REQUEST_INDEX_ATTRIBUTES = ['outstanding'];
const MACHINE_INDEX_ATTRIBUTES = ['live', 'nameKey'];

export function requestToItem(request: Request): Item {
  const item: Item = { ...request };
  if (request.status === 'running') item.outstanding = OUTSTANDING_MARK;
  return item;
}

export function itemToRequest(item: Item): Request {
  return strip(item, REQUEST_INDEX_ATTRIBUTES) as unknown as Request;
}

export function machineToItem(machine: Machine): Item {
  const item: Item = { ...machine };
  if (holdsCapacity(machine)) item.live = LIVE_MARK;
  if (machine.name) item.nameKey = machine.name;
  if (machine.returnRequestId === '') delete item.returnRequestId;
  return item;
}

export function itemToMachine(item: Item): Machine {
  return strip(item, MACHINE_INDEX_ATTRIBUTES) as unknown as Machine;
}

function strip(item: Item, attributes: readonly string[]): Item {
  const entity = { ...item };
  for (const attribute of attributes) delete entity[attribute];
  return entity;
}
