import { z } from 'zod';
import { EXIT_CODE_HEADER, HOSTFACTORY_OPERATIONS, INPUT_FILE_HEADER, STDERR_HEADER, type HostFactoryOperation } from '../../shared/hostfactory-protocol.js';
import { inputJsonSchema } from '../hostfactory/hostfactory-input.js';
import { errorResponseSchema, requestStatusResponseSchema, RESPONSE_SCHEMAS } from '../hostfactory/hostfactory-response-schemas.js';
import { machineListSchema, requestListQuery, requestListSchema, templateListSchema, templateSchema } from './read-api-schemas.js';

type Schema = Record<string, unknown>;

/** JSON Schema 2020-12, as OpenAPI 3.1 takes it, of what the server sends. */
function outputSchema(schema: z.ZodType): Schema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'output' });
  return rest;
}

const json = (schema: Schema) => ({ 'application/json': { schema } });
const failure = (description: string) => ({ description, content: json({ $ref: '#/components/schemas/Error' }) });

const SUMMARIES: Record<HostFactoryOperation, string> = {
  getAvailableTemplates: 'the templates HostFactory may request from',
  requestMachines: 'start provisioning machines of a template',
  getRequestStatus: 'how acquire and return requests are going',
  requestReturnMachines: 'give machines back',
  getReturnRequests: 'the hosts the cloud is taking back',
};

function operationPath(operation: HostFactoryOperation) {
  const scriptHeaders = {
    [EXIT_CODE_HEADER]: { description: 'the exit code the script would have had (0 ok, 1 failed, 2 input rejected, 3 config invalid)', schema: { type: 'integer' } },
    [STDERR_HEADER]: { description: 'on failure: the line the script would have written on stderr, as raw UTF-8', schema: { type: 'string' } },
  };
  const answer = (description: string, schema: Schema) => ({ description, headers: scriptHeaders, content: json(schema) });
  return {
    post: {
      operationId: operation,
      summary: `${operation}: ${SUMMARIES[operation]}`,
      description: `Exactly what scripts/${operation}.sh reads from its -f file and prints on stdout (a newline ends the answer).`,
      parameters: [{ name: INPUT_FILE_HEADER, in: 'header', required: false, description: 'the -f file the body came from, named in the error if it is not valid JSON', schema: { type: 'string' } }],
      requestBody: { required: false, description: 'empty means {}', content: json(inputJsonSchema(operation)) },
      responses: {
        200: answer('the operation succeeded (exit code 0)', outputSchema(RESPONSE_SCHEMAS[operation])),
        400: answer('the input was rejected (exit code 2)', { $ref: '#/components/schemas/Error' }),
        404: answer('unknown template or request (exit code 2)', { $ref: '#/components/schemas/Error' }),
        500: answer('the operation failed (exit code 1 or 3)', { $ref: '#/components/schemas/Error' }),
        503: answer('throttled, out of capacity or a store conflict: worth retrying (exit code 1)', { $ref: '#/components/schemas/Error' }),
      },
    },
  };
}

function readPath(operationId: string, summary: string, schema: z.ZodType, extra: Schema = {}) {
  return {
    get: {
      operationId,
      summary,
      ...extra,
      responses: { 200: { description: summary, content: json(outputSchema(schema)) }, 400: failure('bad parameters'), 404: failure('not found'), 500: failure('failed') },
    },
  };
}

const HEALTH_SCHEMA: Schema = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { enum: ['starting', 'ready', 'degraded', 'stopping', 'fail'] },
    checks: {
      type: 'array',
      items: {
        type: 'object',
        required: ['component', 'status', 'latencyMs', 'message'],
        properties: { component: { type: 'string' }, status: { enum: ['ok', 'warn', 'fail'] }, latencyMs: { type: 'number' }, message: { type: 'string' } },
      },
    },
  },
};

const pathParameter = (name: string) => ({ parameters: [{ name, in: 'path', required: true, schema: { type: 'string' } }] });

/** The OpenAPI 3.1 document served at /openapi.json, generated from the zod schemas that parse the input and describe the output. */
export function openApiDocument(): Schema {
  const query = outputSchema(requestListQuery) as { properties: Record<string, Schema> };
  return {
    openapi: '3.1.0',
    info: {
      title: 'hostfactory serve',
      version: '1',
      description:
        'One provider instance, served warm: the five HostFactory operations with the scripts\' JSON in and out, and read endpoints for people. ' +
        'On the unix socket no token is asked; on TCP, a bearer token (SERVE_TOKEN of the provider config) when one is set, and always beyond loopback.',
    },
    components: {
      schemas: { Error: outputSchema(errorResponseSchema) },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'SERVE_TOKEN of the provider config' } },
    },
    security: [{}, { bearer: [] }],
    paths: {
      ...Object.fromEntries(HOSTFACTORY_OPERATIONS.map((operation) => [`/v1/${operation}`, operationPath(operation)])),
      '/v1/templates': readPath('listTemplates', 'effective templates, each with the file it comes from, and the template problems', templateListSchema),
      '/v1/templates/{templateId}': readPath('showTemplate', 'one template', templateSchema, pathParameter('templateId')),
      '/v1/requests': readPath('listRequests', 'recent requests, newest first', requestListSchema, {
        parameters: Object.entries(query.properties).map(([name, schema]) => ({ name, in: 'query', required: false, schema })),
      }),
      '/v1/requests/{requestId}': readPath('showRequest', 'one request as getRequestStatus reports it', requestStatusResponseSchema, pathParameter('requestId')),
      '/v1/machines': readPath('listMachines', 'machines not terminated, as the cloud sees them now', machineListSchema),
      '/health': {
        get: {
          operationId: 'health',
          summary: 'the server\'s state (starting, ready, degraded, stopping) and every health check: config, templates, store, provider, cloud, clock',
          responses: {
            200: { description: 'ready, no check failed', content: json(HEALTH_SCHEMA) },
            503: { description: 'starting, stopping, or a check failed', content: json(HEALTH_SCHEMA) },
          },
        },
      },
      '/metrics': {
        get: {
          operationId: 'metrics',
          summary: 'the metrics in Prometheus\'s text format (README, "Metrics")',
          responses: { 200: { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } } },
        },
      },
      '/openapi.json': { get: { operationId: 'openApi', summary: 'this document', responses: { 200: { description: 'OpenAPI 3.1', content: json({ type: 'object' }) } } } },
    },
  };
}
