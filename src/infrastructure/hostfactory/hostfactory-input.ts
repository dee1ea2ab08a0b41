import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { HostFactoryError } from '../../domain/errors.js';
import type { MachineRef } from '../../domain/machine.js';
import { parseMachineCount } from '../../domain/request.js';

const machineRef = z
  .object({ name: z.string().min(1).optional(), machineId: z.string().min(1).optional() })
  .loose()
  .refine((ref) => ref.name !== undefined || ref.machineId !== undefined, 'each machine needs a "name" or a "machineId"');

/** Read by the domain's one rule for a count; what it rejects becomes the issue. */
const machineCount = z.unknown().transform((value, ctx) => {
  try {
    return parseMachineCount(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const requestMachinesInput = z.object({
  template: z.object({ templateId: z.string().min(1, 'templateId is required'), machineCount }).loose(),
});

/** HostFactory (and IBM's spec) sometimes sends one object where a list is expected: both are read as a list. */
const oneOrMany = (value: unknown) => (value !== null && typeof value === 'object' && !Array.isArray(value) ? [value] : value);

const requestIdEntry = z.object({ requestId: z.string().min(1, 'requestId is required') }).loose();
const getRequestStatusInput = z.object({
  requests: z.preprocess(oneOrMany, z.array(requestIdEntry, 'requests must be a list of {"requestId": ...}').min(1, 'requests must not be empty')),
});

const machineList = z.array(machineRef, 'machines must be a list of {"name": ..., "machineId": ...}');
const returnMachinesInput = z.object({ machines: z.preprocess(oneOrMany, machineList.min(1, 'machines must not be empty')) });
const heldMachinesInput = z.object({ machines: z.preprocess(oneOrMany, machineList).default([]) }).loose();

/** Reads the `-f` file HostFactory wrote; a missing file or malformed JSON is INVALID_INPUT. */
export async function readInputFile(file: string | undefined): Promise<unknown> {
  if (!file) throw new HostFactoryError('INVALID_INPUT', 'no input file: pass -f <file>');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new HostFactoryError('INVALID_INPUT', `cannot read input file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HostFactoryError('INVALID_INPUT', `input file ${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

function parse<T>(schema: z.ZodType<T>, input: unknown, operation: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw new HostFactoryError('INVALID_INPUT', `invalid ${operation} input: ${where}${issue?.message ?? 'invalid'}`, { cause: result.error });
}

export function parseRequestMachines(input: unknown): { templateId: string; machineCount: number } {
  const { template } = parse(requestMachinesInput, input, 'requestMachines');
  return { templateId: template.templateId, machineCount: template.machineCount };
}

export function parseGetRequestStatus(input: unknown): string[] {
  return parse(getRequestStatusInput, input, 'getRequestStatus').requests.map((entry) => entry.requestId);
}

export function parseRequestReturnMachines(input: unknown): MachineRef[] {
  return parse(returnMachinesInput, input, 'requestReturnMachines').machines.map(toRef);
}

export function parseGetReturnRequests(input: unknown): MachineRef[] {
  return parse(heldMachinesInput, input ?? {}, 'getReturnRequests').machines.map(toRef);
}

function toRef(entry: { name?: string; machineId?: string }): MachineRef {
  return { name: entry.name, machineId: entry.machineId };
}
