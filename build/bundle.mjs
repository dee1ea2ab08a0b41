// Bundles the compiled CLI (dist/main.js) into dist/bundle/, so that each HostFactory script call
// loads a few files instead of hundreds of modules: it halves the cold start of every call.
// Native drivers and the AWS SDK stay external (the SDK is loaded lazily, only by the AWS provider
// and the DynamoDB store); knex's drivers for databases this project does not use are never loaded.
import { chmod, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const NATIVE_OR_UNUSED = new Set([
  'sqlite3', 'pg', 'pg-native', 'pg-query-stream', 'better-sqlite3',
  'mysql', 'mysql2', 'mariadb', 'oracledb', 'tedious',
]);
const isExternal = (id) =>
  NATIVE_OR_UNUSED.has(id) || [...NATIVE_OR_UNUSED].some((name) => id.startsWith(`${name}/`)) || id.startsWith('@aws-sdk/') || id.startsWith('@smithy/');

// A fresh dir: chunk names carry content hashes, so old chunks would otherwise pile up.
await rm(`${root}/dist/bundle`, { recursive: true, force: true });
await build({
  cwd: root,
  input: { hostfactory: 'dist/main.js' },
  platform: 'node',
  external: isExternal,
  output: { dir: 'dist/bundle', format: 'esm', codeSplitting: true, entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
  logLevel: 'warn',
});
// The scripts' client of `hostfactory serve`: one small file of its own that imports node builtins
// only (it imports ./hostfactory.js at run time, by a URL the bundler leaves alone, when no server
// takes the call).
await build({
  cwd: root,
  input: { 'hostfactory-client': 'dist/client/script-client.js' },
  platform: 'node',
  output: { dir: 'dist/bundle', format: 'esm', codeSplitting: false, entryFileNames: '[name].js' },
  logLevel: 'warn',
});
await chmod(`${root}/dist/bundle/hostfactory.js`, 0o755);
await chmod(`${root}/dist/bundle/hostfactory-client.js`, 0o755);
