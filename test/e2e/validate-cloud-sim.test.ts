import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostFactoryInstance } from '../support/hostfactory-harness.js';

describe('templates validate --cloud on the simulated cloud, through the CLI', () => {
  it('passes the bundled templates (exit 0) and fails one the sim cannot launch (exit 1), naming the fields', async () => {
    const hf = new HostFactoryInstance({ config: { SIM_CAPACITY: { 'c5.large': 0 } } });
    const passed = await hf.cli(['templates', 'validate', '--cloud', '--json']);
    expect(passed.exitCode, passed.stdout + passed.stderr).toBe(0);
    expect(passed.json.checks.map((check: any) => check.templateId)).toEqual(['OnDemand-Small', 'Spot-Compute', 'Mixed-Memory']);

    const broken = { templateId: 'Arm-On-X86', maxNumber: 4, attributes: { type: 'X86_64', ncpus: 2, nram: 4096 }, vmTypes: { 'c5.large': 1, 'm5.nope': 1 }, imageId: '/aws/service/al2023-arm64' };
    writeFileSync(join(hf.confDir, 'siminst_templates.json'), JSON.stringify({ templates: [broken] }));
    const failed = await hf.cli(['templates', 'validate', '--cloud', 'Arm-On-X86']);
    expect(failed.exitCode, failed.stderr).toBe(1);
    expect(failed.stdout).toContain('Arm-On-X86: 3 problem(s)');
    expect(failed.stdout).toMatch(/^vmTypes\s+fail\s+c5\.large: SIM_CAPACITY allows none$/m);
    expect(failed.stdout).toMatch(/^vmTypes\s+fail\s+m5\.nope: not an instance type the simulated cloud knows$/m);
    expect(failed.stdout).toMatch(/^imageId\s+fail\s+\/aws\/service\/al2023-arm64 is arm64; it does not run on c5\.large \(x86_64\)$/m);

    const unknown = await hf.cli(['templates', 'validate', '--cloud', 'Nope']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('TEMPLATE_NOT_FOUND');
  });
});
