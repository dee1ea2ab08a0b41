import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { HostFactoryError } from '../../domain/errors.js';
import type { MachineRef } from '../../domain/machine.js';
import { parseMachineCount } from '../../domain/request.js';
import type { HostFactoryOperation } from '../../shared/hostfactory-protocol.js';

const machineRef = z
  .object({ name: z.string().min(1).optional(), machineId: z.string().min(1).optional() })
  .loose()
  .refine((ref) => ref.name !== undefined || ref.machineId !== undefined, 'each machine needs a "name" or a "machineId"')
  .meta({ anyOf: [{ required: ['name'] }, { required: ['machineId'] }] });

/** Read by the domain's one rule for a count; what it rejects becomes the issue. */
const machineCount = z
  .unknown()
  .transform((value, ctx) => {
    try {
      return parseMachineCount(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  })
  .meta({ description: 'units to provision: a positive whole number, or its digits as a string', anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: '^[0-9]+$' }] });

const requestMachinesInput = z.object({
  template: z.object({ templateId: z.string().min(1, 'templateId is required'), machineCount }).loose(),
});

/** HostFactory (and IBM's spec) sometimes sends one object where a list is expected: both are read as a list. */
const oneOrMany = (value: unknown) => (value !== null && typeof value === 'object' && !Array.isArray(value) ? [value] : value);
/** The lists read through oneOrMany, described in JSON Schema as what they accept: the list or one of its items. */
const readAsList = new WeakSet<z.core.$ZodType>();
function listOrOne<T extends z.ZodType>(list: T) {
  const schema = z.preprocess(oneOrMany, list);
  readAsList.add(schema);
  return schema;
}

const requestIdEntry = z.object({ requestId: z.string().min(1, 'requestId is required') }).loose();
const getRequestStatusInput = z.object({
  requests: listOrOne(z.array(requestIdEntry, 'requests must be a list of {"requestId": ...}').min(1, 'requests must not be empty')),
});

const machineList = z.array(machineRef, 'machines must be a list of {"name": ..., "machineId": ...}');
const returnMachinesInput = z.object({ machines: listOrOne(machineList.min(1, 'machines must not be empty')) });
const heldMachinesInput = z.object({ machines: listOrOne(machineList).default([]) }).loose();
/** getAvailableTemplates reads no input: HostFactory sends `{}`. */
const templatesInput = z.object({}).loose();

const INPUT_SCHEMAS: Record<HostFactoryOperation, z.ZodType> = {
  getAvailableTemplates: templatesInput,
  requestMachines: requestMachinesInput,
  getRequestStatus: getRequestStatusInput,
  requestReturnMachines: returnMachinesInput,
  getReturnRequests: heldMachinesInput,
};

/** The JSON Schema (2020-12) of what an operation accepts as input, from the schema that parses it. */
export function inputJsonSchema(operation: HostFactoryOperation): Record<string, unknown> {
  const { $schema: _, ...schema } = z.toJSONSchema(INPUT_SCHEMAS[operation], {
    io: 'input',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      if (!readAsList.has(zodSchema)) return;
      const list = { ...jsonSchema };
      for (const key of Object.keys(jsonSchema)) delete (jsonSchema as Record<string, unknown>)[key];
      jsonSchema.anyOf = [list, list.items as typeof list];
    },
  });
  return schema;
}

/** Reads the `-f` file HostFactory wrote; a missing file or malformed JSON is INVALID_INPUT. */
export async function readInputFile(file: string | undefined): Promise<unknown> {
  if (!file) throw new HostFactoryError('INVALID_INPUT', 'no input file: pass -f <file>');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new HostFactoryError('INVALID_INPUT', `cannot read input file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
  return parseInputText(text, `input file ${file}`);
}

/** The input JSON of an operation, from the `-f` file's text or a request body; `source` names it in errors. Empty means `{}`. */
export function parseInputText(text: string, source: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HostFactoryError('INVALID_INPUT', `${source} is not valid JSON: ${(error as Error).message}`, { cause: error });
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
