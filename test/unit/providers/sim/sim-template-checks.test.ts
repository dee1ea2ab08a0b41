import { afterEach, describe, expect, it } from 'vitest';
import type { TemplateFinding } from '../../../../src/domain/ports/cloud-provider.js';
import type { Template } from '../../../../src/domain/template.js';
import { simSubnetZone } from '../../../../src/providers/sim/sim-catalog.js';
import { aSimTemplate } from '../../../support/mothers.js';
import { makeSimWorld, type SimWorld } from './sim-fixtures.js';

/** The first `subnet-<hex>` id the simulated cloud places in `zone`. */
function subnetIn(zone: string): string {
  for (let n = 1; ; n += 1) {
    const id = `subnet-${n.toString(16).padStart(17, '0')}`;
    if (simSubnetZone(id) === zone) return id;
  }
}

const statuses = (findings: TemplateFinding[], field: string) => findings.filter((finding) => finding.field === field).map((finding) => [finding.status, finding.message]);

describe('templates validate --cloud on the simulated cloud', () => {
  let world: SimWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  async function check(fields: Partial<Template>, config: Record<string, unknown> = {}): Promise<TemplateFinding[]> {
    world ??= makeSimWorld(config);
    const [result] = await world.provider.checkTemplates([aSimTemplate({ imageId: 'ami-0f3caa1cf4417e51b', ...fields })]);
    return result.findings;
  }

  it('passes a template of types, subnets and image it knows, every field', async () => {
    const findings = await check({ subnetIds: [subnetIn('sim-1a'), subnetIn('sim-1b')], vmType: undefined, vmTypes: { 'm5.large': 1, 'c5.xlarge': 2 } });
    expect(findings.filter((finding) => finding.status !== 'pass')).toEqual([]);
    expect(statuses(findings, 'vmTypes')).toEqual([
      ['pass', 'm5.large: x86_64, offered in sim-1a, sim-1b'],
      ['pass', 'c5.xlarge: x86_64, offered in sim-1a, sim-1b'],
    ]);
  });

  it('fails a type not offered in the zone of a subnet, naming the zone and the subnet; an unknown type; a subnet it does not have', async () => {
    const b = subnetIn('sim-1b');
    const findings = await check({ subnetIds: [subnetIn('sim-1a'), b, 'subnet-nothex'], vmType: undefined, vmTypes: { 'p4d.24xlarge': 96, 'm5.huge': 1 } });
    expect(statuses(findings, 'vmTypes')).toEqual([
      ['fail', `p4d.24xlarge: not offered in sim-1b (${b})`],
      ['fail', 'm5.huge: not an instance type the simulated cloud knows'],
    ]);
    expect(statuses(findings, 'subnetId')[2]).toEqual(['fail', 'subnet-nothex does not exist (the simulated cloud has subnet-<hex> ids)']);
  });

  it('fails an arm64 image for an x86_64 type', async () => {
    const findings = await check({ imageId: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64', vmType: 'm5.large' });
    expect(statuses(findings, 'imageId')).toEqual([
      ['pass', '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64: arm64'],
      ['fail', '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64 is arm64; it does not run on m5.large (x86_64)'],
    ]);
  });

  it('answers from SIM_CAPACITY: none allowed fails; all of it running warns', async () => {
    expect(statuses(await check({ vmType: 'c5.large' }, { SIM_CAPACITY: { 'c5.large': 0, 'm5.large': 1 } }), 'vmType')).toEqual([['fail', 'c5.large: SIM_CAPACITY allows none']]);
    await world!.provider.launch({ requestId: 'req-fill', template: aSimTemplate({ vmType: 'm5.large' }), units: 1 });
    expect(statuses(await check({ vmType: 'm5.large' }), 'vmType')).toEqual([['warn', 'm5.large: no capacity left now (SIM_CAPACITY 1, all running)']]);
  });

  it('compares maxSpotPrice with its spot prices per unit in the subnets’ zones', async () => {
    // m5.large costs 0.035 in sim-1a and 0.0385 in sim-1b.
    const findings = await check({ priceType: 'spot', subnetIds: [subnetIn('sim-1a'), subnetIn('sim-1b')], maxSpotPrice: 0.036 });
    expect(statuses(findings, 'maxSpotPrice')).toEqual([['warn', 'm5.large: spot 0.035 in sim-1a, 0.0385 in sim-1b per unit hour: above maxSpotPrice 0.036 in sim-1b']]);
  });
});
