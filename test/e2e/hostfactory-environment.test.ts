import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertSchema, HostFactoryInstance, pollUntilDone, type RunResult } from '../support/hostfactory-harness.js';

type LogLine = Record<string, unknown> & { level: number; msg: string };
const LEVEL = { debug: 20, info: 30 };

/** Adds a template only this config dir has, so that listing it proves where templates were read. */
function addOwnTemplate(hf: HostFactoryInstance, templateId: string): void {
  const file = join(hf.confDir, 'simprov_templates.json');
  const document = JSON.parse(readFileSync(file, 'utf8'));
  document.templates.push({ ...document.templates[0], templateId });
  writeFileSync(file, JSON.stringify(document, null, 2));
}

/** Runs `operation` and returns its result with the log lines it added. */
async function logged(hf: HostFactoryInstance, run: () => Promise<RunResult>): Promise<{ result: RunResult; lines: LogLine[] }> {
  const before = hf.logLines().length;
  const result = await run();
  expect(result.exitCode, result.stderr || result.stdout).toBe(0);
  return { result, lines: hf.logLines().slice(before) as LogLine[] };
}

const oneHost = { template: { templateId: 'OnDemand-Small', machineCount: 1 } };

describe('HostFactory\'s environment without HF_PROVIDER_* dirs', () => {
  it('reads config and templates from $HF_CONFDIR/providers/<name>, keeps state in $HF_WORKDIR/providers/<name>, logs in $HF_LOGDIR', async () => {
    const hf = new HostFactoryInstance({ dirs: 'hostfactory', config: { SIM_BOOT_DELAY_SEC: 0, LOG_LEVEL: 'debug' } });
    expect(Object.keys(hf.env).filter((name) => name.startsWith('HF_PROVIDER_'))).toEqual(['HF_PROVIDER_NAME']);
    expect(hf.confDir).toBe(join(hf.env.HF_CONFDIR!, 'providers', 'sim'));
    addOwnTemplate(hf, 'Only-In-HF-Confdir');

    const templates = await hf.script('getAvailableTemplates', {});
    expect(templates.exitCode, templates.stderr).toBe(0);
    assertSchema('getAvailableTemplates', templates.json);
    expect(templates.json.templates.map((template: any) => template.templateId)).toContain('Only-In-HF-Confdir');

    const requested = await hf.script('requestMachines', { template: { templateId: 'Only-In-HF-Confdir', machineCount: 1 } });
    expect(requested.exitCode, requested.stderr).toBe(0);
    const done = await pollUntilDone(hf, requested.json.requestId);
    expect(done.json.requests[0]).toMatchObject({ status: 'complete', machines: [expect.objectContaining({ result: 'succeed' })] });

    // State: the store and the simulated cloud in $HF_WORKDIR/providers/sim, nothing under the user's default state dir.
    expect(readdirSync(hf.workDir)).toEqual(expect.arrayContaining(['hostfactory.db', 'sim-cloud.db']));
    expect(readdirSync(hf.env.HF_WORKDIR!)).toEqual(['providers']);
    expect(existsSync(join(hf.root, '.local'))).toBe(false);

    // Logs: <name>-provider.log in $HF_LOGDIR itself, at the LOG_LEVEL of the config read from $HF_CONFDIR (debug; the bundled one says info).
    expect(readdirSync(hf.env.HF_LOGDIR!)).toEqual(['sim-provider.log']);
    const lines = hf.logLines() as LogLine[];
    expect(lines.some((line) => line.msg === 'request recorded' && line.requestId === requested.json.requestId)).toBe(true);
    expect(lines.some((line) => line.level === LEVEL.debug && line.msg === 'operation input')).toBe(true);
  });

  it('HF_PROVIDER_CONFDIR, HF_PROVIDER_WORKDIR and HF_PROVIDER_LOGDIR win over HF_CONFDIR, HF_WORKDIR and HF_LOGDIR', async () => {
    const hf = new HostFactoryInstance({ config: { SIM_BOOT_DELAY_SEC: 0 } });
    const elsewhere = { HF_CONFDIR: join(hf.root, 'hf-conf'), HF_WORKDIR: join(hf.root, 'hf-work'), HF_LOGDIR: join(hf.root, 'hf-log') };
    addOwnTemplate(hf, 'Only-In-Provider-Confdir');

    const templates = await hf.script('getAvailableTemplates', {}, { env: elsewhere });
    expect(templates.exitCode, templates.stderr).toBe(0);
    expect(templates.json.templates.map((template: any) => template.templateId)).toContain('Only-In-Provider-Confdir');
    const requested = await hf.script('requestMachines', oneHost, { env: elsewhere });
    expect(requested.exitCode, requested.stderr).toBe(0);

    expect(readdirSync(hf.workDir)).toEqual(expect.arrayContaining(['hostfactory.db', 'sim-cloud.db']));
    expect(hf.logLines().some((line) => line.requestId === requested.json.requestId)).toBe(true);
    for (const dir of Object.values(elsewhere)) expect(existsSync(dir), dir).toBe(false);
  });
});

describe('HF_LOGLEVEL', () => {
  it('sets what is logged when ACCEPT_PROPAGATED_LOG_SETTING is true: debug lines only at LOG_DEBUG, no info at LOG_WARNING', async () => {
    const hf = new HostFactoryInstance({ dirs: 'hostfactory', config: { SIM_BOOT_DELAY_SEC: 0, LOG_LEVEL: 'info', ACCEPT_PROPAGATED_LOG_SETTING: true } });
    const at = (level: string) => logged(hf, () => hf.script('requestMachines', oneHost, { env: { HF_LOGLEVEL: level } }));
    const levels = (lines: LogLine[]) => [...new Set(lines.map((line) => line.level))].sort();

    const debug = await at('LOG_DEBUG');
    expect(levels(debug.lines)).toEqual([LEVEL.debug, LEVEL.info]);
    expect(debug.lines.find((line) => line.msg === 'operation response')).toMatchObject({ operation: 'requestMachines', response: { requestId: debug.result.json.requestId } });

    const info = await at('LOG_INFO');
    expect(levels(info.lines)).toEqual([LEVEL.info]);
    expect(info.lines.map((line) => line.msg)).toContain('request recorded');

    const warning = await at('LOG_WARNING');
    expect(warning.lines).toEqual([]);
  });

  it('is ignored while ACCEPT_PROPAGATED_LOG_SETTING is false: LOG_LEVEL of the config holds', async () => {
    const hf = new HostFactoryInstance({ dirs: 'hostfactory', config: { SIM_BOOT_DELAY_SEC: 0, LOG_LEVEL: 'info' } });
    const { lines } = await logged(hf, () => hf.script('requestMachines', oneHost, { env: { HF_LOGLEVEL: 'LOG_DEBUG' } }));
    expect(lines.map((line) => line.msg)).toContain('request recorded');
    expect(lines.filter((line) => line.level < LEVEL.info)).toEqual([]);
  });
});
