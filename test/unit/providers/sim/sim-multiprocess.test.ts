import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'rolldown';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkDir } from './sim-fixtures.js';

const run = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '../../../..');
/** Inside the project so the bundle resolves knex, sqlite3, zod and inversify from node_modules. */
const bundleDir = join(root, 'node_modules', '.cache', 'sim-multiprocess');
const bundle = join(bundleDir, `sim-${process.pid}.mjs`);
const workDir = makeWorkDir();

beforeAll(async () => {
  mkdirSync(bundleDir, { recursive: true });
  await build({
    input: join(root, 'src/providers/sim/index.ts'),
    external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('@oxc-project/runtime'),
    platform: 'node',
    tsconfig: join(root, 'tsconfig.json'),
    output: { file: bundle, format: 'esm' },
    logLevel: 'warn',
  });
});
afterAll(() => {
  workDir.cleanup();
  rmSync(bundle, { force: true });
});

describe('SimCloudProvider in real processes', () => {
  it('20 processes started at once on a fresh state file: no errors, one launch per request id', async () => {
    const requestIds = Array.from({ length: 20 }, (_, index) => `req-${index % 10}`);
    const outputs = await Promise.all(
      requestIds.map((requestId) =>
        run(process.execPath, [join(here, 'launch-process.mjs'), bundle, workDir.stateFile, requestId, '2'], { cwd: root }),
      ),
    );
    const launched = outputs.map(({ stdout }) => JSON.parse(stdout) as Array<{ id: string; ip: string }>);
    for (let index = 0; index < 10; index += 1) {
      expect(launched[index + 10]).toEqual(launched[index]);
      expect(launched[index]).toHaveLength(2);
    }
    const all = launched.flat();
    expect(new Set(all.map((machine) => machine.id)).size).toBe(20);
    expect(new Set(all.map((machine) => machine.ip)).size).toBe(20);
  });
});
