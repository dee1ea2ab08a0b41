import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../../support/hostfactory-harness.js';
import { EXAMPLE_PLUGIN_DIR } from '../../support/static-pool-plugin.js';

const run = promisify(execFile);
const TSC = join(REPO, 'node_modules/typescript/bin/tsc');

/**
 * The plugin API is published as `hostfactory-aws-provider/plugin` (package.json `exports`, types
 * from tsconfig.plugin.json): an out-of-tree package type-checks against it as installed, here the
 * example plugin's JSDoc types with `checkJs`.
 */
describe('the published plugin API types', () => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'hf-plugin-types-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('type-check the example plugin as an installed package would see them', { timeout: 120_000 }, async () => {
    const host = join(root, 'node_modules', 'hostfactory-aws-provider');
    mkdirSync(host, { recursive: true });
    cpSync(join(REPO, 'package.json'), join(host, 'package.json'));
    symlinkSync(join(REPO, 'node_modules'), join(host, 'node_modules'));
    symlinkSync(join(REPO, 'node_modules', '@types'), join(root, 'node_modules', '@types'));
    await run(process.execPath, [TSC, '-p', join(REPO, 'tsconfig.plugin.json'), '--outDir', join(host, 'dist')], { timeout: 120_000 });
    const plugin = join(root, 'plugin');
    cpSync(EXAMPLE_PLUGIN_DIR, plugin, { recursive: true });
    const checked = await run(process.execPath, [TSC, '-p', join(plugin, 'tsconfig.json')], { timeout: 120_000 }).then(
      () => ({ code: 0, output: '' }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, output: error.stdout ?? '' }),
    );
    expect(checked).toEqual({ code: 0, output: '' });
  });
});
