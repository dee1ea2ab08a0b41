import type { TemplateFinding } from '../../domain/ports/cloud-provider.js';
import { weightedTypes, type Template } from '../../domain/template.js';
import { DEFAULT_INSTANCE_TYPE } from './launch-plan.js';
import { simImage, simInstanceType, simSubnetZone } from './sim-catalog.js';
import type { SimConfig } from './sim-config.js';

/** instance type → instances of it the sim can still start now (absent: no SIM_CAPACITY limit). */
export type CapacityLeft = ReadonlyMap<string, number>;

const finding = (field: string, status: TemplateFinding['status'], message: string): TemplateFinding => ({ field, status, message });

/**
 * `templates validate --cloud` on the simulated cloud, from its own model (sim-catalog.ts): the
 * image, the subnets and their zones, each instance type (known, architecture, offered in the
 * subnets' zones, SIM_CAPACITY) and `maxSpotPrice` against the sim's spot prices. The sim has no
 * IAM: every launch is allowed.
 */
export function checkTemplateOnSim(template: Template, config: SimConfig, left: CapacityLeft): TemplateFinding[] {
  const findings: TemplateFinding[] = [];
  const image = template.imageId ? simImage(template.imageId) : undefined;
  if (template.imageId) {
    findings.push(image ? finding('imageId', 'pass', `${template.imageId}: ${image.architecture}`) : finding('imageId', 'fail', `${template.imageId}: not an image the simulated cloud knows (ami-<hex> or an SSM parameter path)`));
  }
  const zones = new Map<string, string>();
  for (const id of template.subnetIds) {
    const zone = simSubnetZone(id);
    if (zone) zones.set(id, zone);
    findings.push(zone ? finding('subnetId', 'pass', `${id}: ${zone}`) : finding('subnetId', 'fail', `${id} does not exist (the simulated cloud has subnet-<hex> ids)`));
  }
  const typeZones = [...new Set(zones.values())];
  const types = typesOf(template);
  const misfits: string[] = [];
  for (const [type, { field, weight }] of types) {
    const known = simInstanceType(type);
    if (!known) {
      findings.push(finding(field, 'fail', `${type}: not an instance type the simulated cloud knows`));
      continue;
    }
    if (image && image.architecture !== known.architecture) misfits.push(`${type} (${known.architecture})`);
    const missing = typeZones.filter((zone) => !known.zones.includes(zone));
    const limit = config.capacity[type];
    if (missing.length > 0) findings.push(finding(field, 'fail', `${type}: not offered in ${missing.join(', ')} (${[...zones].filter(([, zone]) => missing.includes(zone)).map(([id]) => id).join(', ')})`));
    else if (limit === 0) findings.push(finding(field, 'fail', `${type}: SIM_CAPACITY allows none`));
    else if (limit !== undefined && (left.get(type) ?? limit) === 0) findings.push(finding(field, 'warn', `${type}: no capacity left now (SIM_CAPACITY ${limit}, all running)`));
    else findings.push(finding(field, 'pass', `${type}: ${known.architecture}, offered in ${(typeZones.length > 0 ? typeZones : known.zones).join(', ')}${limit !== undefined ? `, ${left.get(type) ?? limit} of SIM_CAPACITY ${limit} left` : ''}`));
    if (template.maxSpotPrice !== undefined && template.priceType !== 'ondemand' && field !== 'vmTypesOnDemand') findings.push(spotFinding(type, known.spotPrices, typeZones, weight, template.maxSpotPrice));
  }
  if (image && misfits.length > 0) findings.push(finding('imageId', 'fail', `${template.imageId} is ${image.architecture}; it does not run on ${misfits.join(', ')}`));
  findings.push(finding('launch', 'pass', 'the simulated cloud has no IAM: every launch is allowed'));
  return findings;
}

/** Instance types the sim may launch for the template, with the field naming each and its weight. */
function typesOf(template: Template): Map<string, { field: string; weight: number }> {
  const types = new Map<string, { field: string; weight: number }>();
  const weighted = weightedTypes(template);
  const field = template.vmTypes && Object.keys(template.vmTypes).length > 0 ? 'vmTypes' : 'vmType';
  for (const [type, weight] of Object.entries(weighted)) types.set(type, { field, weight });
  for (const [type, weight] of Object.entries(template.vmTypesOnDemand ?? {})) if (!types.has(type)) types.set(type, { field: 'vmTypesOnDemand', weight });
  if (types.size === 0) types.set(DEFAULT_INSTANCE_TYPE, { field: 'vmType', weight: 1 });
  return types;
}

function spotFinding(type: string, prices: Record<string, number>, zones: string[], weight: number, max: number): TemplateFinding {
  const pools = Object.entries(prices).filter(([zone]) => zones.length === 0 || zones.includes(zone));
  const above = pools.filter(([, price]) => price / weight > max);
  const listing = pools.map(([zone, price]) => `${price / weight} in ${zone}`).join(', ');
  if (above.length === pools.length) return finding('maxSpotPrice', 'fail', `${type}: spot ${listing} per unit hour: all above maxSpotPrice ${max}`);
  if (above.length > 0) return finding('maxSpotPrice', 'warn', `${type}: spot ${listing} per unit hour: above maxSpotPrice ${max} in ${above.map(([zone]) => zone).join(', ')}`);
  return finding('maxSpotPrice', 'pass', `${type}: spot ${listing} per unit hour, under maxSpotPrice ${max}`);
}
