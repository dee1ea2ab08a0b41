import type { TemplateCheck, TemplateFinding } from '../../../domain/ports/cloud-provider.js';
import type { Template } from '../../../domain/template.js';
import type { AwsContext } from '../handlers/api-handler.js';
import type { ImageResolver } from '../image-resolver.js';
import { checkIdentity } from './identity-check.js';
import { checkImage } from './image-check.js';
import { fail } from './findings.js';
import { checkInstanceTypes, typeFields } from './instance-type-check.js';
import type { LaunchCheck } from './launch-check.js';
import { checkNetwork } from './network-check.js';
import { checkSpotPrice } from './spot-price-check.js';

/**
 * `templates validate --cloud` on AWS: each template checked field by field with the provider's
 * own credentials, in the order a launch meets them (network, image, instance types, key pair and
 * roles, the launch call as a DryRun, the spot price). Nothing is created. A lookup failing turns
 * into a finding (see findings.ts); the other checks still run.
 */
export class TemplateChecker {
  constructor(
    private readonly context: AwsContext,
    private readonly images: ImageResolver,
    private readonly launch: LaunchCheck,
  ) {}

  async check(templates: readonly Template[]): Promise<TemplateCheck[]> {
    const checks: TemplateCheck[] = [];
    for (const template of templates) checks.push({ templateId: template.templateId, findings: await this.checkOne(template) });
    return checks;
  }

  private async checkOne(template: Template): Promise<TemplateFinding[]> {
    const { gateway, clock } = this.context;
    const findings: TemplateFinding[] = [];
    const subnetZones = await checkNetwork(template, gateway, findings);
    const image = await checkImage(template, gateway, this.images, findings);
    if (typeFields(template).size === 0) {
      findings.push(fail('vmType', 'set vmType or vmTypes'));
      return findings;
    }
    await checkInstanceTypes(template, gateway, subnetZones, image, findings);
    await checkIdentity(template, gateway, findings);
    findings.push(...(await this.launch.check(template)));
    await checkSpotPrice(template, gateway, subnetZones, image, clock.now(), findings);
    return findings;
  }
}
