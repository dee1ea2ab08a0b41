import { createRequire } from 'node:module';

const requireFromHere = createRequire(import.meta.url);

/**
 * Loads a CommonJS package with `require`. The AWS SDK v3 ships its Node build as one CommonJS
 * file per package (no `exports` map, so `import()` reaches the same file): `import()` first scans
 * the whole file for named exports, which for `@aws-sdk/client-ec2`'s 2 MB doubles the load
 * (~0.4 s against ~0.2 s here, `npm run bench` start-up table).
 */
export function loadCommonJs<Module>(name: string): Module {
  return requireFromHere(name) as Module;
}
