import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertSchema, HostFactoryInstance, REPO } from '../support/hostfactory-harness.js';

describe('the scripts as HostFactory runs them', () => {
  it('work from any current directory, through a symlinked script and through a symlinked scripts dir', async () => {
    const hf = new HostFactoryInstance();
    const elsewhere = join(hf.root, 'somewhere/else');
    mkdirSync(elsewhere, { recursive: true });
    const linked = join(hf.root, 'hf-scripts');
    mkdirSync(linked);
    symlinkSync(join(REPO, 'scripts/getAvailableTemplates.sh'), join(linked, 'getAvailableTemplates.sh'));

    const linkedDir = join(hf.root, 'hf-scripts-dir');
    symlinkSync(join(REPO, 'scripts'), linkedDir);

    const fromElsewhere = await hf.script('getAvailableTemplates', {}, { cwd: elsewhere });
    const throughLink = await hf.script('getAvailableTemplates', {}, { scriptPath: join(linked, 'getAvailableTemplates.sh'), cwd: '/' });
    const throughLinkedDir = await hf.script('getAvailableTemplates', {}, { scriptPath: join(linkedDir, 'getAvailableTemplates.sh'), cwd: '/' });
    for (const result of [fromElsewhere, throughLink, throughLinkedDir]) {
      expect(result.exitCode).toBe(0);
      assertSchema('getAvailableTemplates', result.json);
    }
  });

  it('print only the response on stdout, even at trace level; logs go to the log dir as JSON lines', async () => {
    const hf = new HostFactoryInstance({ config: { LOG_LEVEL: 'trace', SIM_BOOT_DELAY_SEC: 0 } });
    const requested = await hf.script('requestMachines', { template: { templateId: 'OnDemand-Small', machineCount: 1 } });
    const status = await hf.script('getRequestStatus', { requests: [{ requestId: requested.json.requestId }] });
    for (const result of [requested, status]) {
      expect(result.stdout.trim().split('\n')).toHaveLength(1);
      expect(() => JSON.parse(result.stdout)).not.toThrow();
      expect(result.stderr).toBe('');
    }
    const lines = hf.logLines();
    expect(lines.some((line) => line.requestId === requested.json.requestId)).toBe(true);
  });

  it('20 concurrent requestMachines give 20 distinct, recorded requests', async () => {
    const hf = new HostFactoryInstance({ config: { SIM_BOOT_DELAY_SEC: 0 } });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => hf.script('requestMachines', { template: { templateId: 'Mixed-Memory', machineCount: 1 } })),
    );
    for (const result of results) {
      expect(result.exitCode, result.stdout).toBe(0);
      assertSchema('requestMachines', result.json);
    }
    const ids = results.map((result) => result.json.requestId);
    expect(new Set(ids).size).toBe(20);
    const listed = await hf.cli(['requests', 'list', '--json', '--limit', '100']);
    expect(listed.json.requests.map((r: any) => r.requestId).sort()).toEqual([...ids].sort());
    const status = await hf.script('getRequestStatus', { requests: ids.map((requestId) => ({ requestId })) });
    expect(status.json.requests.flatMap((r: any) => r.machines)).toHaveLength(20);
  });

  it('concurrent requests never together exceed maxNumber; each one refused exits 2 with INVALID_INPUT', async () => {
    const hf = new HostFactoryInstance({ config: { SIM_BOOT_DELAY_SEC: 0 } });
    // 8 × 4 units against maxNumber 20: at most 5 fit.
    const results = await Promise.all(
      Array.from({ length: 8 }, () => hf.script('requestMachines', { template: { templateId: 'OnDemand-Small', machineCount: 4 } })),
    );
    const accepted = results.filter((result) => result.exitCode === 0);
    const refused = results.filter((result) => result.exitCode !== 0);
    expect(accepted.length).toBeLessThanOrEqual(5);
    for (const result of accepted) assertSchema('requestMachines', result.json);
    expect(refused.length).toBeGreaterThanOrEqual(3);
    for (const result of refused) {
      expect(result.exitCode, result.stdout + result.stderr).toBe(2);
      assertSchema('error', result.json);
      expect(result.json).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/^template "OnDemand-Small" can provide \d+ more unit\(s\) \(maxNumber 20\); 4 requested$/) });
      expect(result.stderr.trim()).toBe(result.json.message);
    }
    const templates = await hf.script('getAvailableTemplates', {});
    const small = templates.json.templates.find((t: any) => t.templateId === 'OnDemand-Small');
    expect(small.availableNumber).toBe(20 - accepted.length * 4);
    // A refused request holds nothing: the only ones still running are those HostFactory was given.
    const running = await hf.cli(['requests', 'list', '--json', '--limit', '100']);
    expect(running.json.requests.filter((r: any) => r.status === 'running').map((r: any) => r.requestId).sort()).toEqual(accepted.map((result) => result.json.requestId).sort());
  });
});
