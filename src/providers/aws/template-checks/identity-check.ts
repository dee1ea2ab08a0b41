import type { TemplateFinding } from '../../../domain/ports/cloud-provider.js';
import type { Template } from '../../../domain/template.js';
import { chooseApi } from '../api-choice.js';
import type { AwsGateway } from '../ec2/aws-gateway.js';
import { fail, lookup, pass, warn } from './findings.js';

/**
 * `keyName` exists (DescribeKeyPairs); `instanceProfile` exists and holds a role (IAM
 * GetInstanceProfile); `fleetRole` exists (IAM GetRole) where the template's API needs one: a Spot
 * Fleet (api-choice.ts) — EC2 Fleet, Auto Scaling and RunInstances launch without it.
 */
export async function checkIdentity(template: Template, gateway: AwsGateway, findings: TemplateFinding[]): Promise<void> {
  if (template.keyName) {
    const pairs = await lookup('keyName', findings, () => gateway.network.keyPairs([template.keyName!]));
    if (pairs) findings.push(pairs.value.has(template.keyName) ? pass('keyName', `${template.keyName} exists`) : fail('keyName', `key pair ${template.keyName} does not exist in this region`));
  }
  if (template.instanceProfile) {
    const profile = template.instanceProfile;
    const found = await lookup('instanceProfile', findings, () => gateway.iam.instanceProfileRoles(profile));
    const roles = found?.value;
    if (found && !roles) findings.push(fail('instanceProfile', `instance profile ${profile} does not exist`));
    else if (roles?.length === 0) findings.push(warn('instanceProfile', `instance profile ${profile} holds no role: instances get no credentials`));
    else if (roles) findings.push(pass('instanceProfile', `${profile} (role ${roles.join(', ')})`));
  }
  const { api } = chooseApi(template);
  if (api !== 'SpotFleet') return;
  if (!template.fleetRole) {
    findings.push(fail('fleetRole', 'a Spot Fleet needs a fleetRole (or choose providerApi EC2Fleet)'));
    return;
  }
  const role = template.fleetRole;
  const found = await lookup('fleetRole', findings, () => gateway.iam.roleArn(role));
  if (found && !found.value) findings.push(fail('fleetRole', `role ${role} does not exist`));
  else if (found?.value) findings.push(pass('fleetRole', `${found.value} exists`));
}
