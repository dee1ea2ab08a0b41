import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostFactoryInstance } from '../support/hostfactory-harness.js';

describe('the hostfactory CLI for people', () => {
  it('requests with --wait, lists, returns and follows requests', async () => {
    const hf = new HostFactoryInstance({ config: { SIM_BOOT_DELAY_SEC: 1, SIM_SHUTDOWN_DELAY_SEC: 0 } });
    const requested = await hf.cli(['machines', 'request', 'OnDemand-Small', '2', '--wait', '--interval', '1', '--json']);
    expect(requested.exitCode, requested.stderr).toBe(0);
    const [request] = requested.json.requests;
    expect(request.status).toBe('complete');
    expect(request.machines).toHaveLength(2);

    const table = await hf.cli(['machines', 'list']);
    expect(table.stdout).toMatch(/^MACHINE\s+NAME\s+STATE/);
    for (const machine of request.machines) expect(table.stdout).toContain(machine.machineId);

    const returned = await hf.cli(['machines', 'return', request.machines[0].name, request.machines[1].machineId, '--json']);
    expect(returned.exitCode).toBe(0);
    expect(returned.json.requestId).toMatch(/^ret-/);

    const status = await hf.cli(['requests', 'status', returned.json.requestId, '--json']);
    expect(status.json.requests[0].status).toBe('complete');
    const listed = await hf.cli(['requests', 'list', '--kind', 'return', '--json']);
    expect(listed.json.requests.map((r: any) => r.requestId)).toEqual([returned.json.requestId]);
    expect((await hf.cli(['machines', 'list', '--json'])).json.machines).toEqual([]);
  });

  it('--wait gives up after --timeout, showing the request still running; requests list --status lists only requests in that status', async () => {
    const hf = new HostFactoryInstance({ config: { SIM_BOOT_DELAY_SEC: 3600, SIM_SHUTDOWN_DELAY_SEC: 0 } });
    // The host boots for an hour: only --timeout ends the wait (a wait that ignored it would outlast the test).
    const waited = await hf.cli(['machines', 'request', 'OnDemand-Small', '1', '--wait', '--timeout', '1', '--interval', '1', '--json']);
    expect(waited.exitCode, waited.stderr).toBe(0);
    const [acquire] = waited.json.requests;
    expect(acquire).toMatchObject({ requestId: expect.stringMatching(/^req-/), status: 'running' });
    expect(acquire.machines.map((machine: any) => [machine.status, machine.result])).toEqual([['pending', 'executing']]);

    const returned = await hf.cli(['machines', 'return', acquire.machines[0].machineId, '--json']);
    const done = await hf.cli(['requests', 'status', returned.json.requestId, '--json']);
    expect(done.json.requests[0].status).toBe('complete');

    const listed = async (status: string) => (await hf.cli(['requests', 'list', '--status', status, '--json'])).json.requests.map((r: any) => r.requestId);
    expect(await listed('running')).toEqual([acquire.requestId]);
    expect(await listed('complete')).toEqual([returned.json.requestId]);
  });

  it('a bad count or unknown template is refused with exit 2 and a message on stderr', async () => {
    const hf = new HostFactoryInstance();
    const zero = await hf.cli(['machines', 'request', 'OnDemand-Small', '0']);
    expect(zero.exitCode).toBe(2);
    expect(zero.stdout).toBe('');
    expect(zero.stderr).toContain('count must be a positive whole number');
    const unknown = await hf.cli(['machines', 'request', 'Nope', '1']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('TEMPLATE_NOT_FOUND');
    const usage = await hf.cli(['machines', 'frobnicate']);
    expect(usage.exitCode).toBe(2);
  });

  it('manages templates: add, show, update, validate, remove', async () => {
    const hf = new HostFactoryInstance();
    const file = join(hf.root, 'new.json');
    const template = { templateId: 'Extra-Large', maxNumber: 4, attributes: { type: 'X86_64', ncpus: 16, nram: 65536 }, vmType: 'm5.4xlarge' };
    writeFileSync(file, JSON.stringify({ templates: [template] }));

    const added = await hf.cli(['templates', 'add', file]);
    expect(added.exitCode, added.stderr).toBe(0);
    const instanceFile = join(hf.confDir, 'siminst_templates.json');
    expect(JSON.parse(readFileSync(instanceFile, 'utf8')).templates).toEqual([template]);

    const listed = await hf.cli(['templates', 'list', '--json']);
    const extra = listed.json.templates.find((t: any) => t.templateId === 'Extra-Large');
    expect(extra.sourceFile).toBe(instanceFile);
    expect(extra.attributes.ncpus).toEqual(['Numeric', '16']);

    writeFileSync(file, JSON.stringify({ ...template, maxNumber: 8 }));
    expect((await hf.cli(['templates', 'update', file])).exitCode).toBe(0);
    expect((await hf.cli(['templates', 'show', 'Extra-Large', '--json'])).json.maxNumber).toBe(8);

    writeFileSync(file, JSON.stringify({ ...template, maxNumber: 'lots' }));
    const invalid = await hf.cli(['templates', 'validate', file]);
    expect(invalid.exitCode).toBe(2);
    expect(invalid.stderr).toContain('maxNumber');
    const rejected = await hf.cli(['templates', 'update', file]);
    expect(rejected.exitCode).toBe(2);
    expect((await hf.cli(['templates', 'show', 'Extra-Large', '--json'])).json.maxNumber).toBe(8);

    expect((await hf.cli(['templates', 'remove', 'Extra-Large'])).exitCode).toBe(0);
    expect((await hf.cli(['templates', 'show', 'Extra-Large'])).exitCode).toBe(2);
  });

  it('templates add --to writes the file it names, and remove --from removes from that file only', async () => {
    const hf = new HostFactoryInstance();
    const file = join(hf.root, 'new.json');
    const template = { templateId: 'Extra-Large', maxNumber: 4, attributes: { type: 'X86_64', ncpus: 16, nram: 65536 }, vmType: 'm5.4xlarge' };
    writeFileSync(file, JSON.stringify({ templates: [template] }));
    const shared = join(hf.confDir, 'templates.json');
    const instanceFile = join(hf.confDir, 'siminst_templates.json');

    const added = await hf.cli(['--json', 'templates', 'add', file, '--to', 'templates.json']);
    expect(added.exitCode, added.stderr).toBe(0);
    expect(added.json.written).toEqual([shared]);
    expect(JSON.parse(readFileSync(shared, 'utf8')).templates).toEqual([template]);
    expect(existsSync(instanceFile)).toBe(false);

    // The same id in the instance file overrides the shared definition: a remove without --from would take that one.
    writeFileSync(file, JSON.stringify({ ...template, maxNumber: 8 }));
    expect((await hf.cli(['templates', 'add', file])).exitCode).toBe(0);
    const removed = await hf.cli(['--json', 'templates', 'remove', 'Extra-Large', '--from', 'templates.json']);
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(removed.json).toEqual({ removed: 'Extra-Large', file: shared });
    expect(JSON.parse(readFileSync(shared, 'utf8')).templates).toEqual([]);
    expect((await hf.cli(['templates', 'show', 'Extra-Large', '--json'])).json).toMatchObject({ maxNumber: 8, sourceFile: instanceFile });
  });

  it('config show and validate report the instance, and validate fails on a broken template', async () => {
    const hf = new HostFactoryInstance();
    const shown = await hf.cli(['config', 'show', '--json']);
    expect(shown.json).toMatchObject({ providerName: 'sim', providerType: 'sim', confDir: hf.confDir, workDir: hf.workDir });
    expect(shown.json.store).toBe(`sqlite://${join(hf.workDir, 'hostfactory.db')}`);
    expect((await hf.cli(['config', 'validate'])).exitCode).toBe(0);

    writeFileSync(join(hf.confDir, 'templates.json'), JSON.stringify({ templates: [{ templateId: 'Broken', maxNumber: 1, attributes: {} }] }));
    const broken = await hf.cli(['config', 'validate']);
    expect(broken.exitCode).toBe(3);
    expect(broken.stderr).toContain('Broken');

    const templates = await hf.script('getAvailableTemplates', {});
    expect(templates.exitCode).toBe(0);
    expect(templates.json.templates.map((t: any) => t.templateId)).toEqual(['OnDemand-Small', 'Spot-Compute', 'Mixed-Memory']);
    expect(templates.json.message).toContain('Broken');
  });
});
