import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { RequestLaunchTemplateData } from '@aws-sdk/client-ec2';
import { HostFactoryError } from '../../domain/errors.js';
import type { ProviderApi, Template } from '../../domain/template.js';
import { isAlreadyExists } from './ec2/aws-errors.js';
import type { LaunchTemplateGateway } from './ec2/launch-template-gateway.js';
import type { ImageResolver } from './image-resolver.js';
import { MANAGED_BY, TAG_MANAGED_BY, TAG_PROVIDER, templateTags, toEc2Tags } from './resource-tags.js';

export const LAUNCH_TEMPLATE_PREFIX = 'hostfactory-';

export interface LaunchTemplateRef {
  launchTemplateId: string;
  version: string;
  /** True for a launch template this provider made (it may delete it once unused). */
  created: boolean;
  /** What the template's own fields ask for (used as RunInstances parameters over a given template). */
  data: RequestLaunchTemplateData;
}

/**
 * The launch template of a template: the one it names (`launchTemplateId`), or our own, made once
 * per distinct content (named `hostfactory-<content hash>`) and reused by every request with the
 * same content.
 */
export class LaunchTemplateStore {
  private readonly known = new Map<string, string>();

  constructor(
    private readonly gateway: LaunchTemplateGateway,
    private readonly images: ImageResolver,
    private readonly providerName: string,
  ) {}

  /** The launch template for launching `template` through `api` (our own templates are per content and API). */
  async ensure(template: Template, requestId: string, api: ProviderApi): Promise<LaunchTemplateRef> {
    const data = await this.dataOf(template);
    if (template.launchTemplateId) {
      return { launchTemplateId: template.launchTemplateId, version: '$Default', created: false, data };
    }
    const name = launchTemplateName(data, api);
    let id = this.known.get(name) ?? (await this.gateway.findByName(name));
    if (!id) id = await this.create(name, data, requestId);
    this.known.set(name, id);
    return { launchTemplateId: id, version: '$Default', created: true, data };
  }

  /**
   * The launch template `ensure` would use, making none: the template's own, or ours when it
   * exists already (`exists`); else a reference whose id is the name ours will have (not an `lt-`
   * id: see dry-run-gateways.ts). Throws as dataOf does (unknown AMI or parameter, unreadable user data).
   */
  async lookup(template: Template, api: ProviderApi): Promise<{ ref: LaunchTemplateRef; name?: string; exists: boolean }> {
    const data = await this.dataOf(template);
    if (template.launchTemplateId) return { ref: { launchTemplateId: template.launchTemplateId, version: '$Default', created: false, data }, exists: true };
    const name = launchTemplateName(data, api);
    const id = this.known.get(name) ?? (await this.gateway.findByName(name));
    // RunInstances (and the RunInstances check of a group) carries the content of a launch template not made yet.
    const inline = !id && (api === 'RunInstances' || api === 'ASG');
    return { ref: { launchTemplateId: id ?? name, version: '$Default', created: !inline, data }, name, exists: id !== undefined };
  }

  /** Drops a launch template from the in-process cache (it was deleted). */
  forget(launchTemplateId: string): void {
    for (const [name, id] of this.known) if (id === launchTemplateId) this.known.delete(name);
  }

  /** The launch template content the template's fields describe (instance type and subnet come per launch). */
  async dataOf(template: Template): Promise<RequestLaunchTemplateData> {
    const data: RequestLaunchTemplateData = {};
    const needsRoot = template.rootDeviceVolumeSize !== undefined || template.volumeType !== undefined || template.iops !== undefined;
    if (template.imageId) {
      const image = await this.images.resolve(template.imageId, needsRoot);
      data.ImageId = image.imageId;
      if (needsRoot && image.rootDeviceName) {
        data.BlockDeviceMappings = [
          {
            DeviceName: image.rootDeviceName,
            Ebs: { VolumeSize: template.rootDeviceVolumeSize, VolumeType: template.volumeType, Iops: template.iops, DeleteOnTermination: true },
          },
        ];
      }
    } else if (!template.launchTemplateId) {
      throw new HostFactoryError('INVALID_INPUT', `template ${template.templateId}: set imageId or launchTemplateId`);
    }
    if (template.keyName) data.KeyName = template.keyName;
    if (template.securityGroupIds.length > 0) data.SecurityGroupIds = template.securityGroupIds;
    if (template.instanceProfile) {
      data.IamInstanceProfile = template.instanceProfile.startsWith('arn:') ? { Arn: template.instanceProfile } : { Name: template.instanceProfile };
    }
    if (template.userDataScript) data.UserData = await userDataOf(template.userDataScript);
    const tags = toEc2Tags(templateTags(template, this.providerName));
    data.TagSpecifications = [
      { ResourceType: 'instance', Tags: tags },
      { ResourceType: 'volume', Tags: tags },
    ];
    return data;
  }

  private async create(name: string, data: RequestLaunchTemplateData, requestId: string): Promise<string> {
    try {
      const id = await this.gateway.create({
        LaunchTemplateName: name,
        LaunchTemplateData: data,
        ClientToken: `${requestId}-lt`,
        TagSpecifications: [{ ResourceType: 'launch-template', Tags: toEc2Tags({ [TAG_MANAGED_BY]: MANAGED_BY, [TAG_PROVIDER]: this.providerName }) }],
      });
      if (!id) throw new HostFactoryError('CLOUD_ERROR', `ec2:CreateLaunchTemplate returned no id for ${name}`);
      return id;
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      const id = await this.gateway.findByName(name);
      if (!id) throw error;
      return id;
    }
  }
}

/**
 * `hostfactory-` + a hash of the content and the API using it: the same content always maps to
 * the same template, and only one kind of resource (fleet, group, instances) ever uses it.
 */
export function launchTemplateName(data: RequestLaunchTemplateData, api: ProviderApi): string {
  return `${LAUNCH_TEMPLATE_PREFIX}${createHash('sha256').update(`${api}\n${canonical(data)}`).digest('hex').slice(0, 32)}`;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

async function userDataOf(path: string): Promise<string> {
  try {
    return (await readFile(path)).toString('base64');
  } catch (error) {
    throw new HostFactoryError('INVALID_INPUT', `userDataScript ${path} cannot be read: ${(error as Error).message}`, { cause: error });
  }
}
