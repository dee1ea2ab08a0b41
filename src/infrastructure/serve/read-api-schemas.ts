import { z } from 'zod';

/**
 * The answers of the read endpoints: the `--json` output of `hostfactory templates list`,
 * `templates show`, `requests list` and `machines list` (PeopleCommands). Loose: each object also
 * carries the fields the domain adds over time; these are the ones callers may rely on.
 */
const template = z
  .object({
    templateId: z.string(),
    maxNumber: z.number().int(),
    attributes: z.record(z.string(), z.tuple([z.enum(['String', 'Numeric', 'Boolean']), z.string()])),
    priceType: z.enum(['ondemand', 'spot', 'heterogeneous']),
    raw: z.record(z.string(), z.unknown()).describe('the template as written in its file'),
    sourceFile: z.string().describe('absolute path of the file it was taken from'),
  })
  .loose();

const templateProblem = z.object({ file: z.string(), templateId: z.string().optional(), field: z.string().optional(), message: z.string() });

export const templateListSchema = z.object({ templates: z.array(template), problems: z.array(templateProblem) });
export const templateSchema = template;

const request = z
  .object({
    requestId: z.string(),
    kind: z.enum(['acquire', 'return']),
    status: z.enum(['running', 'complete', 'complete_with_error']),
    templateId: z.string().optional(),
    machineCount: z.number().int(),
    message: z.string().optional(),
    providerName: z.string(),
    createdAt: z.number().describe('epoch milliseconds'),
    updatedAt: z.number().describe('epoch milliseconds'),
  })
  .loose();

export const requestListSchema = z.object({ requests: z.array(request) });

const machine = z
  .object({
    machineId: z.string(),
    name: z.string(),
    status: z.enum(['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated']),
    requestId: z.string(),
    templateId: z.string(),
    instanceType: z.string(),
    priceType: z.enum(['ondemand', 'spot']),
    privateIpAddress: z.string().nullable(),
    publicIpAddress: z.string().nullable(),
    launchTime: z.number().describe('epoch seconds'),
    returnRequestId: z.string().optional(),
  })
  .loose();

export const machineListSchema = z.object({ machines: z.array(machine) });

/** The query of GET /v1/requests, as `hostfactory requests list` takes it. */
export const requestListQuery = z.object({
  kind: z.enum(['acquire', 'return']).optional(),
  status: z.enum(['running', 'complete', 'complete_with_error']).optional(),
  limit: z.coerce.number().int().min(1).default(50),
});
