import type { TemplateFinding } from '../../../domain/ports/cloud-provider.js';
import { isUnlimited, type Template } from '../../../domain/template.js';
import type { AwsGateway } from '../ec2/aws-gateway.js';
import { fail, lookup, pass, warn } from './findings.js';

/** subnet id → its Availability Zone, for the subnets that exist. */
export type SubnetZoneMap = Map<string, string>;

/**
 * `subnetId`: each subnet exists (DescribeSubnets), its zone, VPC and free addresses (none free:
 * fail; fewer than maxNumber instances could need: warn). `securityGroupIds`: each group exists
 * (DescribeSecurityGroups) in the subnets' VPC (RunInstances refuses a group of another VPC).
 */
export async function checkNetwork(template: Template, gateway: AwsGateway, findings: TemplateFinding[]): Promise<SubnetZoneMap> {
  const zones: SubnetZoneMap = new Map();
  const vpcs = new Set<string>();
  if (template.subnetIds.length === 0) {
    findings.push(pass('subnetId', 'none given: instances go to a default subnet of the default VPC'));
  } else {
    const subnets = await lookup('subnetId', findings, () => gateway.network.knownSubnets(template.subnetIds));
    if (!subnets) return zones;
    for (const id of template.subnetIds) {
      const subnet = subnets.value.find((candidate) => candidate.SubnetId === id);
      if (!subnet) {
        findings.push(fail('subnetId', `${id} does not exist`));
        continue;
      }
      zones.set(id, subnet.AvailabilityZone ?? '');
      if (subnet.VpcId) vpcs.add(subnet.VpcId);
      const free = subnet.AvailableIpAddressCount ?? 0;
      const detail = `${id}: ${subnet.AvailabilityZone}, ${subnet.VpcId}, ${free} free addresses`;
      if (free === 0) findings.push(fail('subnetId', `${detail}: no instance can start there`));
      else if (!isUnlimited(template) && free < template.maxNumber) findings.push(warn('subnetId', `${detail}, fewer than maxNumber ${template.maxNumber}`));
      else findings.push(pass('subnetId', detail));
    }
    if (vpcs.size > 1) findings.push(fail('subnetId', `the subnets are in ${vpcs.size} VPCs (${[...vpcs].join(', ')}): a security group fits only one`));
  }
  await checkSecurityGroups(template, gateway, vpcs, findings);
  return zones;
}

async function checkSecurityGroups(template: Template, gateway: AwsGateway, vpcs: Set<string>, findings: TemplateFinding[]): Promise<void> {
  if (template.securityGroupIds.length === 0) return;
  const groups = await lookup('securityGroupIds', findings, () => gateway.network.securityGroupVpcs(template.securityGroupIds));
  if (!groups) return;
  for (const id of template.securityGroupIds) {
    const vpc = groups.value.get(id);
    if (vpc === undefined) findings.push(fail('securityGroupIds', `${id} does not exist`));
    else if (vpcs.size > 0 && !vpcs.has(vpc)) findings.push(fail('securityGroupIds', `${id} is in ${vpc}, the subnets are in ${[...vpcs].join(', ')}`));
    else findings.push(pass('securityGroupIds', `${id} in ${vpc}`));
  }
}
