import { z } from 'zod';
import type { HostFactoryOperation } from '../../shared/hostfactory-protocol.js';

/**
 * The responses of the five operations, as hostfactory-output.ts builds them and HostFactory's
 * contract describes them (test/schemas/ holds the contract's JSON Schemas; tests check real
 * responses against both). Objects are loose: the contract lets providers add keys.
 */
const message = z.string().describe('bounded to 2 KB of UTF-8');
const stringAttribute = z.tuple([z.literal('String'), z.string()]);
const numericAttribute = z.tuple([z.literal('Numeric'), z.string().regex(/^-?[0-9]+(\.[0-9]+)?$/)]);
const anyAttribute = z.tuple([z.enum(['String', 'Numeric', 'Boolean']), z.string()]);

const templatesResponse = z
  .object({
    message: message.optional().describe('the template problems that left templates out'),
    templates: z.array(
      z
        .object({
          templateId: z.string().regex(/^[0-9A-Za-z_-]{1,64}$/),
          maxNumber: z.number().int().min(-1).max(10000).describe('-1: unlimited'),
          availableNumber: z.number().int().min(0).optional(),
          requestedMachines: z.array(z.string()).optional(),
          attributes: z
            .object({
              type: stringAttribute,
              ncpus: numericAttribute,
              nram: numericAttribute,
              ncores: numericAttribute.optional(),
              rank: numericAttribute.optional(),
              priceInfo: stringAttribute.optional(),
            })
            .catchall(anyAttribute),
        })
        .loose()
        .describe('the template as written, with the keys HostFactory reads in its own shape'),
    ),
  })
  .loose();

const requestIdResponse = (prefix: string) => z.object({ requestId: z.string().min(1).describe(`${prefix}…`), message: message.optional() }).loose();

const machineStatus = z
  .object({
    machineId: z.string().min(1),
    name: z.string().min(1),
    result: z.enum(['executing', 'succeed', 'fail']),
    status: z.enum(['pending', 'running', 'stopped', 'terminated', 'shutting-down', 'stopping']).optional(),
    privateIpAddress: z.string().nullable(),
    publicIpAddress: z.string().nullable().optional(),
    launchtime: z.number().int().min(0).describe('epoch seconds'),
    message: message.optional().describe('why, when result is fail'),
    priceType: z.enum(['ondemand', 'spot']).optional(),
    instanceType: z.string().optional(),
    instanceTags: z.string().optional().describe('k=v;k2=v2'),
    cloudHostId: z.string().nullable().optional(),
  })
  .loose()
  .meta({ if: { properties: { result: { const: 'fail' } } }, then: { required: ['message'], properties: { message: { minLength: 1 } } } });

export const requestStatusResponseSchema = z
  .object({
    message: message.optional(),
    requests: z.array(
      z
        .object({
          requestId: z.string().min(1),
          status: z.enum(['running', 'complete', 'complete_with_error']),
          message: message.optional(),
          machines: z.array(machineStatus),
        })
        .loose(),
    ),
  })
  .loose();

const returnRequestsResponse = z
  .object({
    message: message.optional(),
    status: z.string().optional(),
    requests: z.array(
      z.object({ machine: z.string().min(1).describe('host name'), machineId: z.string().optional(), gracePeriod: z.number().int().min(0).describe('seconds left') }).loose(),
    ),
  })
  .loose();

export const RESPONSE_SCHEMAS: Record<HostFactoryOperation, z.ZodType> = {
  getAvailableTemplates: templatesResponse,
  requestMachines: requestIdResponse('req-'),
  getRequestStatus: requestStatusResponseSchema,
  requestReturnMachines: requestIdResponse('ret-'),
  getReturnRequests: returnRequestsResponse,
};

/** What every operation prints when it fails (exit code not 0); it never holds a requestId. */
export const errorResponseSchema = z.object({ message: z.string().min(1), code: z.string() }).strict();
