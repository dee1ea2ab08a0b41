import { randomUUID } from 'node:crypto';
import type { Machine } from '../../src/domain/machine.js';
import type { Request } from '../../src/domain/request.js';
import type { Template } from '../../src/domain/template.js';

/**
 * The object mothers of the three entities tests build: one base builder per entity with plain
 * defaults, and named presets for the suites that share other defaults (the AWS provider's unit
 * tests, the simulated cloud's). Every builder takes overrides, so a test states only what matters
 * to it.
 */

/** A fixed instant well past 2^31 ms, so 32-bit integer columns would show: the store suites' "now". */
export const T0 = 1_750_000_000_000;
/** When the simulated cloud's unit tests start. */
export const SIM_START_MS = 1_700_000_000_000;
/** The AWS provider's unit tests run at this instant, about this request. */
export const AWS_NOW = Date.parse('2026-11-22T10:00:00Z');
export const AWS_REQUEST_ID = 'req-11111111-2222-3333-4444-555555555555';

// ---- templates ----

/** `Small`: up to 10 units of one on-demand type, no image, subnet or security group. */
export function aTemplate(overrides: Partial<Template> = {}): Template {
  return {
    templateId: 'Small',
    maxNumber: 10,
    attributes: { type: ['String', 'X86_64'], ncpus: ['Numeric', '2'], nram: ['Numeric', '4096'] },
    priceType: 'ondemand',
    subnetIds: [],
    vmType: 't3.medium',
    instanceTags: {},
    securityGroupIds: [],
    raw: {},
    sourceFile: '/conf/simprov_templates.json',
    ...overrides,
  };
}

/** `Tpl-1`, as the AWS provider's unit tests launch it: an image, one subnet, one security group. */
export function anAwsTemplate(overrides: Partial<Template> = {}): Template {
  return aTemplate({
    templateId: 'Tpl-1',
    maxNumber: 100,
    imageId: 'ami-0123456789abcdef0',
    subnetIds: ['subnet-a'],
    vmType: 'm5.large',
    instanceTags: { team: 'hpc' },
    securityGroupIds: ['sg-1'],
    sourceFile: '/conf/awsprov_templates.json',
    ...overrides,
  });
}

/** `OnDemand-Small`, as the tests against the fake EC2 endpoint (test/support/aws-fake-endpoint.ts) launch it. */
export function aFakeEc2Template(overrides: Partial<Template> = {}): Template {
  return aTemplate({
    templateId: 'OnDemand-Small',
    maxNumber: 20,
    attributes: { type: ['String', 'X86_64'], ncpus: ['Numeric', '1'], nram: ['Numeric', '2048'] },
    imageId: 'ami-0f3caa1cf4417e51b',
    subnetIds: ['subnet-0a1b2c3d4e5f60718'],
    vmType: 't3.small',
    securityGroupIds: ['sg-0123456789abcdef0'],
    sourceFile: '/conf/awsprov_templates.json',
    ...overrides,
  });
}

/** `sim-small`, as the simulated cloud's unit tests launch it. */
export function aSimTemplate(overrides: Partial<Template> = {}): Template {
  return aTemplate({
    templateId: 'sim-small',
    maxNumber: 100,
    vmType: 'm5.large',
    instanceTags: { team: 'grid' },
    sourceFile: '/etc/hf/simprov_templates.json',
    ...overrides,
  });
}

// ---- requests ----

/** A running acquire request of 2 units with a fresh id, created at T0. */
export function anAcquireRequest(overrides: Partial<Request> = {}): Request {
  return {
    requestId: `req-${randomUUID()}`,
    kind: 'acquire',
    status: 'running',
    templateId: 'tpl-ondemand',
    machineCount: 2,
    providerName: 'awsinst',
    providerData: { fleetId: 'fleet-0abc', launched: 2 },
    createdAt: T0,
    updatedAt: T0,
    version: 0,
    ...overrides,
  };
}

/** A running return request of one machine with a fresh id, created at T0. */
export function aReturnRequest(overrides: Partial<Request> = {}): Request {
  return {
    requestId: `ret-${randomUUID()}`,
    kind: 'return',
    status: 'running',
    machineCount: 1,
    providerName: 'awsinst',
    providerData: {},
    createdAt: T0,
    updatedAt: T0,
    version: 0,
    ...overrides,
  };
}

/** AWS_REQUEST_ID for 4 units of `Tpl-1`, two minutes old, with what the AWS provider recorded of its launch. */
export function anAwsRequest(providerData: Record<string, unknown>, overrides: Partial<Request> = {}): Request {
  return anAcquireRequest({
    requestId: AWS_REQUEST_ID,
    templateId: 'Tpl-1',
    machineCount: 4,
    providerData,
    createdAt: AWS_NOW - 120_000,
    updatedAt: AWS_NOW - 120_000,
    version: 1,
    ...overrides,
  });
}

/** A request of `units` of `template` to the simulated cloud instance `siminst`, nothing launched yet. */
export function aSimRequest(requestId: string, template: Template, units: number, createdAt = SIM_START_MS): Request {
  return anAcquireRequest({
    requestId,
    templateId: template.templateId,
    machineCount: units,
    providerName: 'siminst',
    providerData: {},
    createdAt,
    updatedAt: createdAt,
  });
}

// ---- machines ----

let hostNumber = 0;

/** A pending on-demand machine of `requestId` with a fresh id, name and address, launched at T0. */
export function aMachine(requestId: string, overrides: Partial<Machine> = {}): Machine {
  hostNumber += 1;
  const octet = hostNumber % 250;
  return {
    machineId: `i-${randomUUID().replace(/-/g, '').slice(0, 17)}`,
    name: `ip-10-0-${octet}-${hostNumber % 256}-${randomUUID().slice(0, 8)}.ec2.internal`,
    requestId,
    templateId: 'tpl-ondemand',
    status: 'pending',
    privateIpAddress: `10.0.${octet}.${hostNumber % 256}`,
    publicIpAddress: null,
    launchTime: Math.floor(T0 / 1000),
    instanceType: 'm5.large',
    priceType: 'ondemand',
    weight: 1,
    instanceTags: { HostFactoryRequestId: requestId },
    cloudHostId: null,
    version: 0,
    updatedAt: T0,
    ...overrides,
  };
}

/** Machine `machineId` of AWS_REQUEST_ID, running for a minute, named `host-<machineId>`. */
export function anAwsMachine(machineId: string, overrides: Partial<Machine> = {}): Machine {
  return aMachine(AWS_REQUEST_ID, {
    machineId,
    name: `host-${machineId}`,
    templateId: 'Tpl-1',
    status: 'running',
    privateIpAddress: '10.0.0.1',
    launchTime: Math.floor((AWS_NOW - 60_000) / 1000),
    instanceTags: {},
    version: 1,
    updatedAt: AWS_NOW,
    ...overrides,
  });
}
