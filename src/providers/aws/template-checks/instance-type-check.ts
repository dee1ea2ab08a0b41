import type { TemplateFinding } from '../../../domain/ports/cloud-provider.js';
import { weightedTypes, type Template } from '../../../domain/template.js';
import type { AwsGateway } from '../ec2/aws-gateway.js';
import { fail, lookup, pass } from './findings.js';
import type { ImageFacts } from './image-check.js';
import type { SubnetZoneMap } from './network-check.js';

/** The template field naming each instance type it may launch. */
export function typeFields(template: Template): Map<string, string> {
  const fields = new Map<string, string>();
  for (const type of Object.keys(weightedTypes(template))) fields.set(type, template.vmTypes && Object.keys(template.vmTypes).length > 0 ? 'vmTypes' : 'vmType');
  for (const type of Object.keys(template.vmTypesOnDemand ?? {})) if (!fields.has(type)) fields.set(type, 'vmTypesOnDemand');
  return fields;
}

/**
 * Each instance type exists (DescribeInstanceTypes) and is offered in the zone of every subnet
 * (DescribeInstanceTypeOfferings, LocationType availability-zone), naming the zones where it is
 * not; and the AMI's architecture is one every type supports (`imageId`).
 */
export async function checkInstanceTypes(template: Template, gateway: AwsGateway, subnetZones: SubnetZoneMap, image: ImageFacts | undefined, findings: TemplateFinding[]): Promise<void> {
  const fields = typeFields(template);
  const types = [...fields.keys()];
  if (types.length === 0) return;
  const described = await lookup(fields.get(types[0])!, findings, () => gateway.instanceTypes.architectures(types));
  if (!described) return;
  const architectures = described.value;
  const zones = [...new Set(subnetZones.values())];
  const offered = zones.length > 0 ? (await lookup(fields.get(types[0])!, findings, () => gateway.instanceTypes.offeredZones(types, zones)))?.value : undefined;
  const misfits: string[] = [];
  for (const type of types) {
    const field = fields.get(type)!;
    const supported = architectures.get(type);
    if (!supported) {
      findings.push(fail(field, `${type}: not an instance type EC2 knows in this region`));
      continue;
    }
    if (image?.architecture && !supported.includes(image.architecture)) misfits.push(`${type} (${supported.join(', ')})`);
    if (!offered) {
      findings.push(pass(field, `${type}: ${supported.join(', ')}${zones.length === 0 ? '; zones not checked (no subnet)' : ''}`));
      continue;
    }
    const where = offered.get(type) ?? new Set<string>();
    const missing = zones.filter((zone) => !where.has(zone));
    if (missing.length === 0) {
      findings.push(pass(field, `${type}: ${supported.join(', ')}, offered in ${zones.join(', ')}`));
    } else {
      const subnets = [...subnetZones].filter(([, zone]) => missing.includes(zone)).map(([id]) => id);
      findings.push(fail(field, `${type}: not offered in ${missing.join(', ')} (${subnets.join(', ')})`));
    }
  }
  if (image?.architecture && misfits.length > 0) findings.push(fail('imageId', `${image.ami} is ${image.architecture}; it does not run on ${misfits.join(', ')}`));
}
