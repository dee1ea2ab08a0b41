import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This package's version, from the package.json above wherever this code runs (src/, dist/ or the bundle): the built-in providers' version. */
export const PACKAGE_VERSION = readVersion(dirname(fileURLToPath(import.meta.url)));

function readVersion(start: string): string {
  for (let dir = start; dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const json = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (json.name === 'hostfactory-aws-provider' && json.version) return json.version;
  }
  return '0.0.0';
}
