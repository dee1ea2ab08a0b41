import type { TemplateFinding } from '../../../domain/ports/cloud-provider.js';
import { HostFactoryError } from '../../../domain/errors.js';
import type { Template } from '../../../domain/template.js';
import { awsErrorCode, awsReason } from '../ec2/aws-errors.js';
import type { AwsGateway } from '../ec2/aws-gateway.js';
import type { ImageResolver } from '../image-resolver.js';
import { fail, lookupFailed, pass } from './findings.js';

/** What the checks after this one need of the image. */
export interface ImageFacts {
  ami: string;
  /** `x86_64`, `arm64`… */
  architecture?: string;
  /** The spot price product (`Linux/UNIX`, `Windows`…): DescribeImages' PlatformDetails. */
  platform: string;
}

/**
 * `imageId`: an SSM parameter path resolves to an AMI id (GetParameter, as a launch does), and the
 * AMI exists (DescribeImages: an unknown id answers an empty list or `InvalidAMIID.NotFound`).
 * A template launching from its own launch template and no imageId is not checked here.
 */
export async function checkImage(template: Template, gateway: AwsGateway, images: ImageResolver, findings: TemplateFinding[]): Promise<ImageFacts | undefined> {
  if (!template.imageId) return undefined;
  let ami: string;
  try {
    ami = (await images.resolve(template.imageId, false)).imageId;
  } catch (error) {
    findings.push(error instanceof HostFactoryError ? fail('imageId', error.message) : resolveFailed(template.imageId, error));
    return undefined;
  }
  const from = ami === template.imageId ? ami : `${template.imageId} → ${ami}`;
  try {
    const image = await gateway.instances.image(ami);
    if (!image) {
      findings.push(fail('imageId', `${from}: AMI not found (or not shared with this account)`));
      return undefined;
    }
    const facts: ImageFacts = { ami, architecture: image.Architecture, platform: image.PlatformDetails || 'Linux/UNIX' };
    const detail = `${from}: ${facts.architecture ?? 'architecture unknown'}, ${facts.platform}`;
    findings.push(image.State && image.State !== 'available' ? fail('imageId', `${detail}, ${image.State}: only an available AMI launches`) : pass('imageId', detail));
    return facts;
  } catch (error) {
    if (awsErrorCode(error).startsWith('InvalidAMIID')) findings.push(fail('imageId', `${from}: AMI not found (${awsReason(error)})`));
    else findings.push(lookupFailed('imageId', error));
    return undefined;
  }
}

function resolveFailed(imageId: string, error: unknown): TemplateFinding {
  if (awsErrorCode(error) === 'ParameterNotFound') return fail('imageId', `SSM parameter ${imageId} not found`);
  return lookupFailed('imageId', error);
}
