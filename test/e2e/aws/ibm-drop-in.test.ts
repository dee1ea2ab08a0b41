import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeEc2Server } from '../../support/fake-ec2-server.js';
import { assertSchema, HostFactoryInstance, REPO } from '../../support/hostfactory-harness.js';

const FIXTURES = join(REPO, 'test/fixtures');
const IBM_FILES = ['awsprov_config.json', 'awsprov_templates.json'];

describe("a config dir holding only IBM's awsprov files, unchanged", () => {
  let hf: HostFactoryInstance;
  let watcher: FakeEc2Server;

  beforeAll(async () => {
    // Any AWS call would land here: the SDK reads AWS_ENDPOINT_URL and the keys from the environment.
    watcher = new FakeEc2Server(Date.now);
    const endpoint = await watcher.start();
    hf = new HostFactoryInstance({
      providerName: 'aws',
      extraEnv: { AWS_EC2_METADATA_DISABLED: 'true', AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'AKIDWATCH', AWS_SECRET_ACCESS_KEY: 'watch' },
    });
    rmSync(hf.confDir, { recursive: true, force: true });
    mkdirSync(hf.confDir);
    for (const file of IBM_FILES) copyFileSync(join(FIXTURES, file), join(hf.confDir, file));
  });
  afterAll(async () => {
    await watcher.stop();
    rmSync(hf.root, { recursive: true, force: true });
  });

  it('getAvailableTemplates lists the 3 templates, schema-valid, attributes and fields as written, with no AWS call', async () => {
    expect(readdirSync(hf.confDir).sort()).toEqual(IBM_FILES);
    expect(hf.env.HF_PROVIDER_NAME).toBe('aws');

    const result = await hf.script('getAvailableTemplates', {});
    expect(result.exitCode, result.stderr).toBe(0);
    assertSchema('getAvailableTemplates', result.json);
    const written = JSON.parse(readFileSync(join(FIXTURES, 'awsprov_templates.json'), 'utf8')).templates as Array<Record<string, unknown>>;
    const listed = result.json.templates as Array<Record<string, any>>;
    expect(listed.map((template) => template.templateId)).toEqual(['OnDemand-Small', 'Spot-Compute', 'Mixed-Memory']);

    expect(listed.map((template) => template.attributes)).toEqual([
      { type: ['String', 'X86_64'], ncpus: ['Numeric', '1'], nram: ['Numeric', '2048'], rank: ['Numeric', '0'] },
      { type: ['String', 'X86_64'], ncpus: ['Numeric', '4'], nram: ['Numeric', '16384'] },
      { type: ['String', 'X86_64'], ncpus: ['Numeric', '8'], nram: ['Numeric', '65536'] },
    ]);
    for (const [index, template] of written.entries()) {
      const { attributes: _attributes, ...fields } = template;
      expect(listed[index]).toMatchObject(fields);
    }
    expect(listed.map((template) => [template.maxNumber, template.availableNumber])).toEqual([
      [20, 20],
      [200, 200],
      [-1, undefined],
    ]);
    expect(watcher.calls.map((call) => call.action)).toEqual([]);
  });
});
