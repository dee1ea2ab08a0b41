import type { IncomingMessage, ServerResponse } from 'node:http';
import { HostFactoryError, toHostFactoryError, type HostFactoryErrorCode } from '../../domain/errors.js';
import type { HealthReport } from '../../application/check-health.js';
import type { Logger } from '../../domain/ports/logger.js';
import { EXIT_CODE_HEADER, fromHeaderBytes, INPUT_FILE_HEADER, isHostFactoryOperation, STDERR_HEADER, toHeaderBytes, type HostFactoryOperation } from '../../shared/hostfactory-protocol.js';
import type { PeopleCommands } from '../cli/people-commands.js';
import { scriptFailure, scriptSuccess } from '../cli/script-output.js';
import { parseInputText } from '../hostfactory/hostfactory-input.js';
import type { HostFactoryOperations } from '../hostfactory/hostfactory-operations.js';
import { errorResponse } from '../hostfactory/hostfactory-output.js';
import { openApiDocument } from './openapi-document.js';
import { requestListQuery } from './read-api-schemas.js';

export interface ApiServices {
  hostFactory: HostFactoryOperations;
  people: PeopleCommands;
  logger: Logger;
  /** Every health check of the instance. */
  health: () => Promise<HealthReport>;
  /** The metrics in Prometheus's text format. */
  metricsText?: () => Promise<string>;
}

/** Where the server is in its life: `degraded` is `ready` with a check warning or failing. */
export type ServerState = 'starting' | 'ready' | 'stopping';

/** HostFactory sends every host it holds to getReturnRequests: thousands of entries fit many times over. */
const BODY_LIMIT_BYTES = 32 * 1024 * 1024;

type Reply = { status: number; body: string; headers?: Record<string, string> };

/** The HTTP API of `hostfactory serve` (routes in openapi-document.ts). Every answer is JSON ending in a newline. */
export function createApiHandler(services: ApiServices, state: () => ServerState): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  let openApi: string | undefined;
  const routes: Array<{ method: string; path: RegExp; answer: (match: string[], url: URL, request: IncomingMessage) => Promise<Reply> }> = [
    { method: 'POST', path: /^\/v1\/([A-Za-z]+)$/, answer: ([name], _url, request) => scriptCall(services, name as HostFactoryOperation, request) },
    { method: 'GET', path: /^\/v1\/templates$/, answer: () => data(services.people.listTemplates()) },
    { method: 'GET', path: /^\/v1\/templates\/([^/]+)$/, answer: ([id]) => data(services.people.showTemplate(decodeURIComponent(id))) },
    { method: 'GET', path: /^\/v1\/requests$/, answer: (_match, url) => data(services.people.listRequests(parseQuery(url))) },
    { method: 'GET', path: /^\/v1\/requests\/([^/]+)$/, answer: ([id]) => data(services.people.status([decodeURIComponent(id)])) },
    { method: 'GET', path: /^\/v1\/machines$/, answer: () => data(services.people.listMachines()) },
    { method: 'GET', path: /^\/health$/, answer: () => health(services, state()) },
    { method: 'GET', path: /^\/metrics$/, answer: () => metrics(services) },
    { method: 'GET', path: /^\/openapi\.json$/, answer: async () => ({ status: 200, body: (openApi ??= JSON.stringify(openApiDocument(), null, 2) + '\n') }) },
  ];

  return async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://hostfactory');
    const matching = routes.filter((route) => route.path.test(url.pathname) && (route.method !== 'POST' || isHostFactoryOperation(route.path.exec(url.pathname)?.[1])));
    const route = matching.find((candidate) => candidate.method === request.method);
    let reply: Reply;
    if (!route) {
      reply = matching.length > 0
        ? { ...failure(new HostFactoryError('INVALID_INPUT', `${request.method} is not allowed on ${url.pathname}`)), status: 405, headers: { allow: matching.map((m) => m.method).join(', ') } }
        : { ...failure(new HostFactoryError('INVALID_INPUT', `no such endpoint: ${request.method} ${url.pathname}`)), status: 404 };
    } else {
      try {
        reply = await route.answer(route.path.exec(url.pathname)!.slice(1), url, request);
      } catch (thrown) {
        const error = toHostFactoryError(thrown);
        if (error.code === 'INTERNAL') services.logger.error({ err: error, path: url.pathname }, 'API call failed');
        reply = failure(error);
      }
    }
    response.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(reply.body), ...reply.headers });
    response.end(reply.body);
  };
}

/**
 * One script call: the body is the `-f` file's content, the answer is what the script prints, with
 * its exit code and stderr line in headers. Every failure of the operation is an answer too (it
 * carries the exit-code header); only a call the server refused before running it has none.
 */
async function scriptCall(services: ApiServices, operation: HostFactoryOperation, request: IncomingMessage): Promise<Reply> {
  const body = await readBody(request);
  let status = 200;
  let output;
  try {
    const fileHeader = request.headers[INPUT_FILE_HEADER];
    const source = typeof fileHeader === 'string' ? `input file ${fromHeaderBytes(fileHeader)}` : 'request body';
    output = scriptSuccess(await services.hostFactory.run(operation, parseInputText(body.toString('utf8'), source)));
  } catch (thrown) {
    const error = toHostFactoryError(thrown);
    services.logger.error({ err: error, code: error.code, operation }, 'operation failed');
    output = scriptFailure(error);
    status = httpStatusOf(error.code);
  }
  const headers: Record<string, string> = { [EXIT_CODE_HEADER]: String(output.exitCode) };
  const stderrLine = output.stderr ? toHeaderBytes(output.stderr.slice(0, -1)) : undefined;
  if (stderrLine !== undefined) headers[STDERR_HEADER] = stderrLine;
  return { status, body: output.stdout, headers };
}

/** The lifecycle and every check: 200 when ready and nothing failed, 503 otherwise (a load balancer's view). */
async function health(services: ApiServices, state: ServerState): Promise<Reply> {
  const report = await services.health();
  const status = state !== 'ready' ? state : report.status === 'ok' ? 'ready' : 'degraded';
  const healthy = state === 'ready' && report.status !== 'fail';
  return { status: healthy ? 200 : 503, body: JSON.stringify({ status, checks: report.checks }) + '\n' };
}

async function metrics(services: ApiServices): Promise<Reply> {
  if (!services.metricsText) throw new HostFactoryError('INVALID_INPUT', 'metrics are off for this server');
  return { status: 200, body: await services.metricsText(), headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' } };
}

async function data(output: Promise<{ data: unknown }>): Promise<Reply> {
  return { status: 200, body: JSON.stringify((await output).data) + '\n' };
}

function failure(error: HostFactoryError): Reply {
  return { status: httpStatusOf(error.code), body: JSON.stringify(errorResponse(error)) + '\n' };
}

function parseQuery(url: URL) {
  const parsed = requestListQuery.safeParse(Object.fromEntries(url.searchParams));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new HostFactoryError('INVALID_INPUT', `query ${issue.path.join('.')}: ${issue.message}`);
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT_BYTES) throw new HostFactoryError('INVALID_INPUT', `request body over ${BODY_LIMIT_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function httpStatusOf(code: HostFactoryErrorCode): number {
  switch (code) {
    case 'INVALID_INPUT':
      return 400;
    case 'TEMPLATE_NOT_FOUND':
    case 'REQUEST_NOT_FOUND':
      return 404;
    case 'THROTTLED':
    case 'INSUFFICIENT_CAPACITY':
    case 'STORAGE_CONFLICT':
      return 503;
    default:
      return 500;
  }
}
