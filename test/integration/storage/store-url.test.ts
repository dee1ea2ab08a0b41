import { describe, expect, it } from 'vitest';
import { defaultStoreUrl, parseStoreUrl } from '../../../src/infrastructure/storage/store-url.js';

function configError(url: string): { code?: string; message: string } {
  try {
    parseStoreUrl(url);
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error(`expected ${url} to be refused`);
}

describe('parseStoreUrl', () => {
  it('reads a SQLite file and a JSON directory from absolute paths', () => {
    expect(parseStoreUrl('sqlite:///var/lib/hf/hostfactory.db')).toEqual({ kind: 'sqlite', file: '/var/lib/hf/hostfactory.db' });
    expect(parseStoreUrl('json:///var/lib/hf/store')).toEqual({ kind: 'json', dir: '/var/lib/hf/store' });
    expect(parseStoreUrl('  SQLITE:///opt/my dir/hf.db ')).toEqual({ kind: 'sqlite', file: '/opt/my dir/hf.db' });
  });

  it('keeps PostgreSQL URLs whole, under either scheme', () => {
    expect(parseStoreUrl('postgres://hf@db.internal:5432/hostfactory')).toEqual({
      kind: 'postgres',
      connectionString: 'postgres://hf@db.internal:5432/hostfactory',
    });
    expect(parseStoreUrl('postgresql://hf:secret@db/hf?schema=cluster_a')).toEqual({
      kind: 'postgres',
      connectionString: 'postgresql://hf:secret@db/hf?schema=cluster_a',
    });
  });

  it('reads a DynamoDB table prefix with an optional region and endpoint', () => {
    expect(parseStoreUrl('dynamodb://hostfactory-prod-')).toEqual({ kind: 'dynamodb', tablePrefix: 'hostfactory-prod-' });
    expect(parseStoreUrl('dynamodb://HF_?region=eu-west-1&endpoint=http://127.0.0.1:8000')).toEqual({
      kind: 'dynamodb',
      tablePrefix: 'HF_',
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:8000',
    });
  });

  it.each([
    ['hostfactory.db', 'unknown or missing scheme'],
    ['mysql://db/hf', 'unknown or missing scheme'],
    ['sqlite://hostfactory.db', 'absolute path'],
    ['sqlite:///', 'absolute path'],
    ['json://relative/dir', 'absolute path'],
    ['postgres://', 'PostgreSQL'],
    ['postgres://db/hf?schema=bad-name', 'schema'],
    ['dynamodb://?region=eu-west-1', 'table prefix'],
    ['dynamodb://hf?regoin=eu-west-1', "unknown DynamoDB parameter 'regoin'"],
    ['dynamodb://hf?endpoint=localhost:8000', 'http(s) URL'],
  ])('refuses %s with CONFIG_INVALID explaining why', (url, reason) => {
    const error = configError(url);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(reason);
  });

  it('never repeats a PostgreSQL password in its error', () => {
    const error = configError('postgres://hf:s3cret@db/hf?schema=no-way');
    expect(error.message).not.toContain('s3cret');
  });
});

describe('defaultStoreUrl', () => {
  it('names hostfactory.db in the work dir, and parses back to it', () => {
    const url = defaultStoreUrl('/var/hf/work/providers/awsinst/');
    expect(url).toBe('sqlite:///var/hf/work/providers/awsinst/hostfactory.db');
    expect(parseStoreUrl(url)).toEqual({ kind: 'sqlite', file: '/var/hf/work/providers/awsinst/hostfactory.db' });
  });
});
