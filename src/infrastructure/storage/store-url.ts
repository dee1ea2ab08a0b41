import path from 'node:path';
import { HostFactoryError } from '../../domain/errors.js';

/** Where the store lives, as parsed from a store URL. */
export type StoreLocation =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; connectionString: string }
  | { kind: 'json'; dir: string }
  | { kind: 'dynamodb'; tablePrefix: string; region?: string; endpoint?: string };

const FORMS =
  'sqlite:///abs/path/file.db, json:///abs/path/dir, postgres://user@host:5432/db, ' +
  'dynamodb://<table-prefix>?region=...&endpoint=...';

const TABLE_PREFIX = /^[A-Za-z0-9_.-]{1,200}$/;

/**
 * Parses a store URL. Paths of `sqlite:` and `json:` URLs are taken literally (no percent
 * decoding) and must be absolute. Throws CONFIG_INVALID with the accepted forms on anything else.
 */
export function parseStoreUrl(url: string): StoreLocation {
  const trimmed = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed)?.[1]?.toLowerCase();
  const rest = scheme === undefined ? '' : trimmed.slice(scheme.length + 3);
  switch (scheme) {
    case 'sqlite':
      return { kind: 'sqlite', file: absolutePath(url, rest, 'database file') };
    case 'json':
      return { kind: 'json', dir: absolutePath(url, rest, 'directory') };
    case 'postgres':
    case 'postgresql':
      return { kind: 'postgres', connectionString: postgresUrl(url, trimmed) };
    case 'dynamodb':
      return dynamoDbLocation(url, rest);
    default:
      throw invalid(url, `unknown or missing scheme; use one of ${FORMS}`);
  }
}

/** The embedded default: a SQLite file in the provider's work dir. */
export function defaultStoreUrl(workDir: string): string {
  return `sqlite://${path.join(path.resolve(workDir), 'hostfactory.db')}`;
}

function absolutePath(url: string, rest: string, what: string): string {
  if (rest.includes('?') || rest.includes('#')) {
    throw invalid(url, `the ${what} path must not contain '?' or '#'`);
  }
  if (!rest.startsWith('/') || rest.length < 2) {
    throw invalid(url, `the ${what} must be an absolute path, written with three slashes (e.g. sqlite:///var/lib/hf/hostfactory.db)`);
  }
  return path.normalize(rest);
}

function postgresUrl(url: string, trimmed: string): string {
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch (error) {
    throw invalid(url, 'not a valid PostgreSQL connection URL (postgres://user@host:5432/db)', error);
  }
  if (!parsed.hostname) throw invalid(url, 'the PostgreSQL URL needs a host (postgres://user@host:5432/db)');
  const schema = parsed.searchParams.get('schema');
  if (schema !== null && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw invalid(url, `schema '${schema}' must be a plain identifier (letters, digits, underscores)`);
  }
  return trimmed;
}

function dynamoDbLocation(url: string, rest: string): StoreLocation {
  const queryAt = rest.indexOf('?');
  const tablePrefix = (queryAt < 0 ? rest : rest.slice(0, queryAt)).replace(/\/$/, '');
  if (!TABLE_PREFIX.test(tablePrefix)) {
    throw invalid(url, 'the DynamoDB table prefix must be 1-200 characters of letters, digits, _ . - (dynamodb://hostfactory-?region=us-east-1)');
  }
  const params = new URLSearchParams(queryAt < 0 ? '' : rest.slice(queryAt + 1));
  for (const key of params.keys()) {
    if (key !== 'region' && key !== 'endpoint') throw invalid(url, `unknown DynamoDB parameter '${key}' (use region, endpoint)`);
  }
  const location: StoreLocation = { kind: 'dynamodb', tablePrefix };
  const region = params.get('region');
  const endpoint = params.get('endpoint');
  if (region) location.region = region;
  if (endpoint) {
    if (!/^https?:\/\/[^/]/i.test(endpoint)) throw invalid(url, `the DynamoDB endpoint '${endpoint}' must be an http(s) URL`);
    location.endpoint = endpoint;
  }
  return location;
}

function invalid(url: string, reason: string, cause?: unknown): HostFactoryError {
  return new HostFactoryError('CONFIG_INVALID', `Invalid store URL '${redact(url)}': ${reason}`, { cause });
}

/** Hides a password in a connection URL before it goes into an error message. */
export function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):[^@/?#]*@/i, '$1:***@');
}
