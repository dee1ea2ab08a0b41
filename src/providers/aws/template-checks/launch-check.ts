import type { RequestLaunchTemplateData } from '@aws-sdk/client-ec2';
import { randomUUID } from 'node:crypto';
import { HostFactoryError } from '../../../domain/errors.js';
import type { TemplateFinding } from '../../../domain/ports/cloud-provider.js';
import type { ProviderApi, Template } from '../../../domain/template.js';
import { chooseApi } from '../api-choice.js';
import { planCapacity } from '../capacity-plan.js';
import { awsErrorCode, awsReason, isDryRunPermitted, isLaunchTemplateNotFound, isPermissionDenied } from '../ec2/aws-errors.js';
import type { ApiHandler, AwsContext } from '../handlers/api-handler.js';
import type { LaunchTemplateStore } from '../launch-template-store.js';
import { requestTags } from '../resource-tags.js';
import type { SubnetZones } from '../subnet-zones.js';
import { actionOf, fail, lookupFailed, pass, warn } from './findings.js';

/**
 * `launch`: the very call a request of this template would make (the API handler's own, through a
 * gateway that sends it with DryRun: see dry-run-gateways.ts), so that AWS says whether these
 * credentials may make it: `DryRunOperation` is allowed, `UnauthorizedOperation` names the missing
 * action. CreateAutoScalingGroup has no DryRun: a group's launch template is checked with the
 * RunInstances call of one of its instances instead. `launchTemplate`: ours exists already, or its
 * CreateLaunchTemplate is allowed (a DryRun too); nothing is created.
 */
export class LaunchCheck {
  /** `handlers`: the API handlers over the DryRun gateway (aws-provider-parts.ts); ASG's is RunInstances'. */
  constructor(
    private readonly context: AwsContext,
    private readonly handlers: Record<ProviderApi, ApiHandler>,
    private readonly launchTemplates: LaunchTemplateStore,
    private readonly subnets: SubnetZones,
  ) {}

  /** `order`: the request id and units of a `machines request --dry-run`; by default a fresh id and dryRunUnits. */
  async check(template: Template, order?: { requestId: string; units: number }): Promise<TemplateFinding[]> {
    const choice = chooseApi(template);
    if (choice.api === 'SpotFleet' && !template.fleetRole) return [];
    let lookup: Awaited<ReturnType<LaunchTemplateStore['lookup']>>;
    try {
      lookup = await this.launchTemplates.lookup(template, choice.api);
    } catch (error) {
      return [error instanceof HostFactoryError ? fail('launch', `not tried: ${error.message}`) : lookupFailed('launch', error)];
    }
    const findings: TemplateFinding[] = [];
    if (!lookup.exists) findings.push(await this.canCreateLaunchTemplate(lookup.name!, lookup.ref.data));
    else if (lookup.name) findings.push(pass('launchTemplate', `${lookup.name} (${lookup.ref.launchTemplateId}) made by an earlier request`));
    const plan = planCapacity(template, order?.units ?? dryRunUnits(template));
    if (choice.api === 'EC2Fleet' || choice.api === 'SpotFleet') plan.subnetIds = await this.subnets.onePerZone(plan.subnetIds);
    // A request id of its own: the ClientTokens of the DryRun calls never match a real request's.
    const requestId = order?.requestId ?? `req-dryrun-${randomUUID().slice(0, 8)}`;
    const tags = requestTags(template, this.context.providerName, requestId);
    const launch = { requestId, template, plan, fleetType: choice.fleetType, launchTemplate: lookup.ref, tags };
    try {
      await this.handlers[choice.api].launch(launch);
      findings.push(fail('launch', `${choice.api} answered a DryRun call as if it launched: check the endpoint`));
    } catch (error) {
      findings.push(this.judge(error, choice.api, template, !lookup.exists));
    }
    return findings;
  }

  private judge(error: unknown, api: ProviderApi, template: Template, templatePending: boolean): TemplateFinding {
    const action = actionOf(error) ?? api;
    const asg = api === 'ASG' ? ' (autoscaling:CreateAutoScalingGroup has no DryRun: not checked)' : '';
    if (isDryRunPermitted(error)) return pass('launch', `${action} allowed (DryRun of the call a request makes)${asg}`);
    if (isPermissionDenied(error)) {
      const alsoNeeded = ['ec2:CreateTags', ...(template.instanceProfile || api === 'SpotFleet' ? ['iam:PassRole'] : [])].join(', ');
      return fail('launch', `${action} not allowed for these credentials (${awsErrorCode(error)}): allow ${action} (with ${alsoNeeded}) in their IAM policy`);
    }
    if (templatePending && isLaunchTemplateNotFound(error)) {
      return warn('launch', `${action} not proven: AWS checks it against the launch template the first request makes (${awsReason(error)})`);
    }
    if (awsErrorCode(error).startsWith('InvalidLaunchTemplate')) return fail('launchTemplateId', `${action}: ${awsReason(error)}`);
    return fail('launch', `${action} would fail: ${awsReason(error)}`);
  }

  private async canCreateLaunchTemplate(name: string, data: RequestLaunchTemplateData): Promise<TemplateFinding> {
    try {
      await this.context.gateway.launchTemplates.create({ LaunchTemplateName: name, LaunchTemplateData: data, DryRun: true });
      return fail('launchTemplate', `ec2:CreateLaunchTemplate answered a DryRun call as if it created ${name}: check the endpoint`);
    } catch (error) {
      if (isDryRunPermitted(error)) return pass('launchTemplate', `${name} is made by the first request (ec2:CreateLaunchTemplate allowed)`);
      if (isPermissionDenied(error)) return fail('launchTemplate', `ec2:CreateLaunchTemplate not allowed for these credentials (${awsErrorCode(error)}): the first request makes ${name}`);
      return fail('launchTemplate', `ec2:CreateLaunchTemplate would fail: ${awsReason(error)}`);
    }
  }
}

/**
 * Units for the DryRun: 1, or for a heterogeneous template the fewest that split into an
 * on-demand and a spot part (as CapacityPlan rounds), so the call carries both.
 */
export function dryRunUnits(template: Template): number {
  const percent = template.percentOnDemand ?? 0;
  if (template.priceType !== 'heterogeneous' || percent <= 0 || percent >= 100) return 1;
  for (let units = 2; units <= 100; units += 1) if (Math.ceil((units * percent) / 100) < units) return units;
  return 1;
}
