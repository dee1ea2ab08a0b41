import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHILD_TIMEOUT_MS, tracked } from '../../../support/child-processes.js';
import { makeWorkDir } from './sim-fixtures.js';

/** Runs a node script to its end, with a timeout, killed with the test should it outlive it. */
function run(args: string[]): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    tracked(execFile(process.execPath, args, { cwd: root, timeout: CHILD_TIMEOUT_MS }, (error, stdout) => (error ? reject(error) : resolve({ stdout }))));
  });
}
const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '../../../..');
/** The built sim (`npm test` builds before running vitest). */
const bundle = join(root, 'dist/providers/sim/index.js');
const workDir = makeWorkDir();

beforeAll(() => {
  if (!existsSync(bundle)) throw new Error(`${bundle} missing: run \`npm run build\` first (npm test does)`);
});
afterAll(() => workDir.cleanup());

describe('SimCloudProvider in real processes', () => {
  it('20 processes started at once on a fresh state file: no errors, one launch per request id', async () => {
    const requestIds = Array.from({ length: 20 }, (_, index) => `req-${index % 10}`);
    const outputs = await Promise.all(
      requestIds.map((requestId) =>
        run([join(here, 'launch-process.mjs'), bundle, workDir.stateFile, requestId, '2']),
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
