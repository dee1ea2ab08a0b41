import { describe, expect, it } from 'vitest';
import { HostFactoryError } from '../../../src/domain/errors.js';
import { parseTemplate, validateTemplate } from '../../../src/infrastructure/templates/template-parser.js';

const FILE = '/etc/hf/providers/awsinst/awsprov_templates.json';

function minimal(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    templateId: 'Template-1',
    maxNumber: 10,
    attributes: { type: ['String', 'X86_64'], ncpus: ['Numeric', '2'], nram: ['Numeric', '4096'] },
    vmType: 'm5.large',
    ...overrides,
  };
}

function withAttributes(attributes: Record<string, unknown>): Record<string, unknown> {
  return minimal({ attributes: { type: 'X86_64', ncpus: 2, nram: 4096, ...attributes } });
}

/** The faulty fields of a template that must be rejected. */
function faultyFields(raw: unknown): (string | undefined)[] {
  const result = parseTemplate(raw, FILE);
  if (result.ok) throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
  return result.problems.map((problem) => problem.field);
}

function parsed(raw: unknown) {
  const result = parseTemplate(raw, FILE);
  if (!result.ok) throw new Error(result.problems.map((problem) => problem.message).join('; '));
  return result.template;
}

describe('parseTemplate: a minimal template', () => {
  it('applies the defaults and keeps where it came from', () => {
    const raw = minimal();
    const template = parsed(raw);
    expect(template).toMatchObject({
      templateId: 'Template-1',
      maxNumber: 10,
      priceType: 'ondemand',
      vmType: 'm5.large',
      subnetIds: [],
      securityGroupIds: [],
      instanceTags: {},
      sourceFile: FILE,
    });
    expect(template.spotFleetRequestExpiry).toBeUndefined();
    expect(template.raw).toEqual(raw);
  });

  it('makes a relative source file absolute', () => {
    expect(parsed(minimal()).sourceFile).toBe(FILE);
    const relative = parseTemplate(minimal(), 'conf/templates.json');
    expect(relative.ok && relative.template.sourceFile).toBe(`${process.cwd()}/conf/templates.json`);
  });
});

describe('parseTemplate: every IBM field', () => {
  it('parses a fully written spot fleet template', () => {
    const template = parsed(
      minimal({
        priceType: 'heterogeneous',
        providerApi: 'SpotFleet',
        fleetType: 'request',
        imageId: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
        subnetId: ['subnet-a', 'subnet-b'],
        vmType: undefined,
        vmTypes: { 'm5.large': 1, 'm5.xlarge': 2 },
        vmTypesOnDemand: { 'm5.large': 1 },
        vmTypesPriority: { 'm5.large': 0, 'm5.xlarge': 1.5 },
        fleetRole: 'arn:aws:iam::123:role/spot-fleet',
        maxSpotPrice: 0.12,
        spotFleetRequestExpiry: 45,
        allocationStrategy: 'capacityOptimizedPrioritized',
        allocationStrategyOnDemand: 'prioritized',
        percentOnDemand: 25,
        poolsCount: 3,
        rootDeviceVolumeSize: 100,
        volumeType: 'io2',
        iops: 3000,
        instanceTags: 'team=hpc;cost-center = 42',
        keyName: 'ops',
        securityGroupIds: ['sg-1', 'sg-2'],
        instanceProfile: 'arn:aws:iam::123:instance-profile/hf',
        userDataScript: 'user_data.sh',
        launchTemplateId: 'lt-0abc',
      }),
    );
    expect(template).toMatchObject({
      priceType: 'heterogeneous',
      providerApi: 'SpotFleet',
      fleetType: 'request',
      imageId: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      subnetIds: ['subnet-a', 'subnet-b'],
      vmTypes: { 'm5.large': 1, 'm5.xlarge': 2 },
      vmTypesOnDemand: { 'm5.large': 1 },
      vmTypesPriority: { 'm5.large': 0, 'm5.xlarge': 1.5 },
      fleetRole: 'arn:aws:iam::123:role/spot-fleet',
      maxSpotPrice: 0.12,
      spotFleetRequestExpiry: 45,
      allocationStrategy: 'capacityOptimizedPrioritized',
      allocationStrategyOnDemand: 'prioritized',
      percentOnDemand: 25,
      poolsCount: 3,
      rootDeviceVolumeSize: 100,
      volumeType: 'io2',
      iops: 3000,
      instanceTags: { team: 'hpc', 'cost-center': '42' },
      keyName: 'ops',
      securityGroupIds: ['sg-1', 'sg-2'],
      instanceProfile: 'arn:aws:iam::123:instance-profile/hf',
      userDataScript: '/etc/hf/providers/awsinst/user_data.sh',
      launchTemplateId: 'lt-0abc',
    });
  });

  it.each([
    ['a single string', 'subnet-a', ['subnet-a']],
    ['a list', ['subnet-a', 'subnet-b'], ['subnet-a', 'subnet-b']],
    ['a comma-separated string', 'subnet-a, subnet-b ,subnet-c', ['subnet-a', 'subnet-b', 'subnet-c']],
  ])('reads subnetId written as %s', (_form, subnetId, expected) => {
    expect(parsed(minimal({ subnetId })).subnetIds).toEqual(expected);
  });

  it('reads securityGroupIds as a list or a comma-separated string', () => {
    expect(parsed(minimal({ securityGroupIds: ['sg-1'] })).securityGroupIds).toEqual(['sg-1']);
    expect(parsed(minimal({ securityGroupIds: 'sg-1,sg-2' })).securityGroupIds).toEqual(['sg-1', 'sg-2']);
  });

  it('reads maxSpotPrice as a number or a numeric string', () => {
    expect(parsed(minimal({ maxSpotPrice: '0.05' })).maxSpotPrice).toBe(0.05);
    expect(parsed(minimal({ maxSpotPrice: 1 })).maxSpotPrice).toBe(1);
  });

  it('keeps an absolute userDataScript as written', () => {
    expect(parsed(minimal({ userDataScript: '/opt/boot.sh' })).userDataScript).toBe('/opt/boot.sh');
  });

  it('accepts vmTypes alone, without vmType', () => {
    expect(parsed(minimal({ vmType: undefined, vmTypes: { 'c5.large': 1 } })).vmTypes).toEqual({ 'c5.large': 1 });
  });

  it('keeps unknown keys in raw, as written', () => {
    const template = parsed(minimal({ pgrpName: 'pg-1', onDemandCapacity: 3, nested: { a: [1, 'b'] } }));
    expect(template.raw).toMatchObject({ pgrpName: 'pg-1', onDemandCapacity: 3, nested: { a: [1, 'b'] } });
  });

  it.each([
    ['templateId', { templateId: 'a'.repeat(65) }],
    ['templateId', { templateId: 'has space' }],
    ['templateId', { templateId: '' }],
    ['templateId', { templateId: undefined }],
    ['maxNumber', { maxNumber: 10001 }],
    ['maxNumber', { maxNumber: -2 }],
    ['maxNumber', { maxNumber: 1.5 }],
    ['maxNumber', { maxNumber: undefined }],
    ['attributes', { attributes: undefined }],
    ['attributes', { attributes: ['String', 'X86_64'] }],
    ['priceType', { priceType: 'reserved' }],
    ['providerApi', { providerApi: 'Lambda' }],
    ['fleetType', { fleetType: 'once' }],
    ['imageId', { imageId: '' }],
    ['subnetId', { subnetId: 42 }],
    ['vmType', { vmType: undefined }],
    ['vmType', { vmType: undefined, vmTypes: {} }],
    ['vmTypes.m5.large', { vmTypes: { 'm5.large': 0 } }],
    ['vmTypes.m5.large', { vmTypes: { 'm5.large': 1.5 } }],
    ['vmTypesOnDemand.m5.large', { vmTypesOnDemand: { 'm5.large': -1 } }],
    ['vmTypesPriority.m5.large', { vmTypesPriority: { 'm5.large': -1 } }],
    ['maxSpotPrice', { maxSpotPrice: 'cheap' }],
    ['maxSpotPrice', { maxSpotPrice: 0 }],
    ['spotFleetRequestExpiry', { spotFleetRequestExpiry: 0 }],
    ['allocationStrategy', { allocationStrategy: 'cheapest' }],
    ['allocationStrategyOnDemand', { allocationStrategyOnDemand: 'diversified' }],
    ['percentOnDemand', { percentOnDemand: 101 }],
    ['percentOnDemand', { percentOnDemand: -1 }],
    ['poolsCount', { poolsCount: 0 }],
    ['rootDeviceVolumeSize', { rootDeviceVolumeSize: '100' }],
    ['volumeType', { volumeType: 'sc1' }],
    ['iops', { iops: -5 }],
    ['instanceTags', { instanceTags: 5 }],
    ['keyName', { keyName: 7 }],
    ['securityGroupIds', { securityGroupIds: [1] }],
    ['instanceProfile', { instanceProfile: '' }],
    ['userDataScript', { userDataScript: '' }],
    ['launchTemplateId', { launchTemplateId: false }],
    ['region', { region: 'Europe' }],
    ['region', { region: 'eu-west' }],
    ['region', { region: 'EU-WEST-1' }],
    ['region', { region: 'eu-west-1a' }],
  ])('rejects a bad %s', (field, overrides) => {
    expect(faultyFields(minimal(overrides))).toContainEqual(expect.stringMatching(new RegExp(`^${field}`)));
  });

  it('accepts templateIds of exactly 64 allowed characters', () => {
    const templateId = `aZ09_-${'x'.repeat(58)}`;
    expect(parsed(minimal({ templateId })).templateId).toBe(templateId);
  });

  it('reads region (none in IBM\'s files: the provider\'s default region)', () => {
    expect(parsed(minimal()).region).toBeUndefined();
    for (const region of ['eu-west-1', 'us-gov-west-1', 'ap-southeast-5']) expect(parsed(minimal({ region })).region).toBe(region);
  });

  it('accepts maxNumber -1 (unlimited), 0 and 10000', () => {
    for (const maxNumber of [-1, 0, 10000]) expect(parsed(minimal({ maxNumber })).maxNumber).toBe(maxNumber);
  });

  it('rejects something that is not an object', () => {
    expect(parseTemplate('nope', FILE).ok).toBe(false);
    expect(parseTemplate(null, FILE).ok).toBe(false);
  });
});

describe('parseTemplate: attributes as the administrator wrote them', () => {
  it('turns every written form into a [type, string] pair', () => {
    const template = parsed(
      withAttributes({
        ncores: 0.5,
        rank: ['Numeric', 3],
        priceInfo: ['String', 'price:0.1,billingTimeUnitType:prorated_hour'],
        zone: 'us-east-1a',
        gpu: false,
        gpuKind: ['Boolean', true],
      }),
    );
    expect(template.attributes).toEqual({
      type: ['String', 'X86_64'],
      ncpus: ['Numeric', '2'],
      nram: ['Numeric', '4096'],
      ncores: ['Numeric', '0.5'],
      rank: ['Numeric', '3'],
      priceInfo: ['String', 'price:0.1,billingTimeUnitType:prorated_hour'],
      zone: ['String', 'us-east-1a'],
      gpu: ['Boolean', 'false'],
      gpuKind: ['Boolean', 'true'],
    });
  });

  it('keeps the order the attributes were written in', () => {
    const template = parsed(minimal({ attributes: { nram: 1024, zone: 'a', ncpus: 1, type: 'X86_64' } }));
    expect(Object.keys(template.attributes)).toEqual(['nram', 'zone', 'ncpus', 'type']);
  });

  it('takes a bare numeric string for ncpus as the number it spells', () => {
    expect(parsed(withAttributes({ ncpus: '16' })).attributes.ncpus).toEqual(['Numeric', '16']);
  });

  it.each([
    ['attributes.type', { type: undefined }],
    ['attributes.ncpus', { ncpus: undefined }],
    ['attributes.nram', { nram: undefined }],
    ['attributes.type', { type: 86 }],
    ['attributes.type', { type: ['Numeric', '86'] }],
    ['attributes.ncpus', { ncpus: 'two' }],
    ['attributes.ncpus', { ncpus: ['String', '2'] }],
    ['attributes.nram', { nram: ['Numeric', '4 GB'] }],
    ['attributes.ncores', { ncores: '1e3' }],
    ['attributes.rank', { rank: true }],
    ['attributes.gpu', { gpu: ['Boolean', 'yes'] }],
    ['attributes.zone', { zone: ['Text', 'a'] }],
    ['attributes.zone', { zone: null }],
  ])('rejects %s written as %j', (field, attributes) => {
    expect(faultyFields(withAttributes(attributes))).toContain(field);
  });
});

describe('validateTemplate', () => {
  it('returns the template when it is valid', () => {
    expect(validateTemplate(minimal(), FILE).templateId).toBe('Template-1');
  });

  it('throws INVALID_INPUT naming the template and the faulty field', () => {
    const attempt = () => validateTemplate(minimal({ maxNumber: 20000 }), FILE);
    expect(attempt).toThrow(HostFactoryError);
    expect(attempt).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(attempt).toThrow(/Template-1.*maxNumber/);
  });
});
