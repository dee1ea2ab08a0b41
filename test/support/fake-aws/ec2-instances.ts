import type { FakeCloud, FakeInstance, FakeLaunchTemplate } from './fake-cloud.js';
import { ec2TagSet, element, filters, iso, itemSet, list, matchesTagFilter, QueryError, specTags, tags, wrap } from './query-protocol.js';
import { describeSpotInstanceRequests } from './spot-requests.js';

const STATE_CODES = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48 };

/**
 * Instances and launch templates: RunInstances (ClientToken idempotent, spot through
 * InstanceMarketOptions), DescribeInstances (ids; filters instance-state-name, instance-id,
 * private-dns-name and tag:<key> / tag-key / tag-value, as named in EC2 API Reference,
 * "DescribeInstances", https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstances.html), TerminateInstances,
 * CreateTags, DescribeImages (imageState, architecture, platformDetails as in EC2 API Reference, "Image",
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Image.html), Create/Describe/DeleteLaunchTemplate(s), DescribeInstanceStatus
 * (no scheduled events), DescribeSpotInstanceRequests and DescribeSubnets.
 *
 * RunInstances checks the subnet, the pool's capacity and the subnet's free addresses (see
 * FakeCloud.launchProblem). It does not check the image: callers that never configured images
 * (the contract suite) launch from any AMI id, as before.
 *
 * Eventual consistency drill (EC2 API, "Eventual consistency in the Amazon EC2 API",
 * https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html): an instance created
 * under a visibility lag is unknown to DescribeInstances, TerminateInstances and CreateTags
 * (`InvalidInstanceID.NotFound`) until the lag has passed, and — as that page warns for
 * TerminateInstances — such a failed call does not terminate it.
 */
export class FakeEc2Instances {
  private readonly tokens = new Map<string, string>();

  constructor(
    private readonly cloud: FakeCloud,
    private readonly images: Record<string, string>,
  ) {}

  answer(action: string, params: URLSearchParams): string | undefined {
    switch (action) {
      case 'RunInstances':
        return this.runInstances(params);
      case 'DescribeInstances':
        return this.describeInstances(params);
      case 'TerminateInstances':
        return this.terminateInstances(params);
      case 'CreateTags': {
        const ids = list(params, 'ResourceId');
        const hidden = ids.filter((id) => this.cloud.instances.has(id) && !this.visible(id));
        if (hidden.length > 0) throw notFound(hidden);
        for (const id of ids) {
          const instance = this.cloud.instances.get(id);
          if (instance) Object.assign(instance.tags, tags(params, 'Tag'));
        }
        return element('return', true);
      }
      case 'DescribeImages':
        return itemSet(
          'imagesSet',
          list(params, 'ImageId').filter((id) => this.images[id]),
          (id) =>
            element('imageId', id) +
            element('imageState', 'available') +
            element('architecture', this.cloud.imageArchitectures.get(id) ?? 'x86_64') +
            element('platformDetails', 'Linux/UNIX') +
            element('rootDeviceName', this.images[id]) +
            element('rootDeviceType', 'ebs'),
        );
      case 'CreateLaunchTemplate':
        return wrap('launchTemplate', launchTemplateXml(this.createLaunchTemplate(params)));
      case 'DescribeLaunchTemplates': {
        // EC2 API Reference, "DescribeLaunchTemplates" (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeLaunchTemplates.html):
        // by name, or by Filter.N (`tag:<key>` on the launch template's own tags); each with its createTime and tagSet.
        const names = list(params, 'LaunchTemplateName');
        const tagFilters = filters(params).filter(([name]) => name.startsWith('tag:'));
        const found = [...this.cloud.launchTemplates.values()].filter(
          (template) => (names.length === 0 || names.includes(template.name)) && tagFilters.every(([name, values]) => matchesTagFilter(name, values, template.ownTags)),
        );
        if (names.length > 0 && found.length === 0) throw new QueryError('InvalidLaunchTemplateName.NotFoundException', 'At least one of the launch templates specified in the request does not exist.');
        return itemSet('launchTemplates', found, launchTemplateXml);
      }
      case 'DeleteLaunchTemplate': {
        const template = this.cloud.launchTemplates.get(params.get('LaunchTemplateId') ?? '');
        if (!template) throw new QueryError('InvalidLaunchTemplateId.NotFound', 'The specified launch template does not exist.');
        this.cloud.launchTemplates.delete(template.id);
        return wrap('launchTemplate', launchTemplateXml(template));
      }
      case 'DescribeInstanceStatus':
        return '<instanceStatusSet/>';
      case 'DescribeSpotInstanceRequests':
        return describeSpotInstanceRequests(this.cloud, params);
      case 'DescribeSubnets':
        return this.cloud.subnets.describe(params, (id) => this.cloud.usedAddresses(id));
      case 'DescribeAvailabilityZones':
        // EC2 API Reference, "DescribeAvailabilityZones" (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeAvailabilityZones.html):
        // the region's zones in availabilityZoneInfo, each with zoneName, zoneState and regionName.
        return itemSet('availabilityZoneInfo', this.cloud.subnets.zones(), (zone) => element('zoneName', zone) + element('zoneState', 'available') + element('regionName', zone.replace(/[a-z]$/, '')));
      default:
        return undefined;
    }
  }

  private runInstances(params: URLSearchParams): string {
    const token = params.get('ClientToken');
    const reservationId = token ? this.tokens.get(token) : undefined;
    if (reservationId) return this.reservationXml(reservationId, [...this.cloud.instances.values()].filter((instance) => instance.reservationId === reservationId));
    const templateId = params.get('LaunchTemplate.LaunchTemplateId');
    const template = templateId ? this.cloud.launchTemplates.get(templateId) : undefined;
    if (templateId && !template) throw new QueryError('InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${templateId}, does not exist.`);
    const imageId = params.get('ImageId') ?? template?.imageId;
    if (!imageId) throw new QueryError('MissingParameter', 'The request must contain the parameter ImageId');
    const instanceType = params.get('InstanceType') ?? 'm5.large';
    const subnetId = params.get('SubnetId') ?? undefined;
    const count = Number(params.get('MaxCount') ?? '1');
    const problem = this.cloud.launchProblem(instanceType, subnetId, count);
    if (problem) throw problem;
    const launched = this.cloud.launch({
      instanceType,
      subnetId,
      count,
      lifecycle: params.get('InstanceMarketOptions.MarketType') === 'spot' ? 'spot' : 'on-demand',
      imageId,
      launchTemplate: template,
      tags: specTags(params, 'TagSpecification', 'instance'),
    });
    if (token) this.tokens.set(token, launched[0].reservationId);
    return this.reservationXml(launched[0].reservationId, launched);
  }

  private visible(id: string): boolean {
    const instance = this.cloud.instances.get(id);
    return instance !== undefined && this.cloud.isVisible(instance);
  }

  private describeInstances(params: URLSearchParams): string {
    const ids = list(params, 'InstanceId');
    const missing = ids.filter((id) => !this.visible(id));
    if (missing.length > 0) throw notFound(missing);
    const all = [...this.cloud.instances.values()].filter((instance) => this.cloud.isVisible(instance));
    let found = (ids.length > 0 ? ids.map((id) => this.cloud.instances.get(id)!) : all).map((instance) => this.cloud.refresh(instance));
    for (const [name, values] of filters(params)) {
      found = found.filter((instance) => {
        if (name === 'instance-state-name') return values.includes(instance.state);
        if (name === 'instance-id') return values.includes(instance.instanceId);
        if (name === 'private-dns-name') return values.includes(privateDnsName(instance, this.cloud.region));
        return matchesTagFilter(name, values, instance.tags);
      });
    }
    const byReservation = new Map<string, FakeInstance[]>();
    for (const instance of found) byReservation.set(instance.reservationId, [...(byReservation.get(instance.reservationId) ?? []), instance]);
    return itemSet('reservationSet', [...byReservation.entries()], ([id, instances]) =>
      element('reservationId', id) + element('ownerId', '123456789012') + itemSet('instancesSet', instances, (instance) => this.instanceXml(instance)),
    );
  }

  private terminateInstances(params: URLSearchParams): string {
    const ids = list(params, 'InstanceId');
    const missing = ids.filter((id) => !this.visible(id));
    if (missing.length > 0) throw notFound(missing);
    return itemSet('instancesSet', ids, (id) => {
      const instance = this.cloud.instances.get(id)!;
      const previous = this.cloud.terminate(instance);
      return `${element('instanceId', id)}<currentState>${stateXml(instance.state)}</currentState><previousState>${stateXml(previous)}</previousState>`;
    });
  }

  private createLaunchTemplate(params: URLSearchParams): FakeLaunchTemplate {
    const token = params.get('ClientToken');
    const byToken = token ? [...this.cloud.launchTemplates.values()].find((template) => template.clientToken === token) : undefined;
    if (byToken) return byToken;
    const name = params.get('LaunchTemplateName') ?? '';
    if ([...this.cloud.launchTemplates.values()].some((template) => template.name === name)) {
      throw new QueryError('InvalidLaunchTemplateName.AlreadyExistsException', `Launch template name already in use.`);
    }
    const template: FakeLaunchTemplate = {
      id: this.cloud.nextId('lt'),
      name,
      imageId: params.get('LaunchTemplateData.ImageId') ?? '',
      tags: specTags(params, 'LaunchTemplateData.TagSpecification', 'instance'),
      ownTags: specTags(params, 'TagSpecification', 'launch-template'),
      createdAt: this.cloud.now(),
      clientToken: token ?? undefined,
    };
    this.cloud.launchTemplates.set(template.id, template);
    return template;
  }

  private reservationXml(id: string, instances: FakeInstance[]): string {
    return element('reservationId', id) + element('ownerId', '123456789012') + itemSet('instancesSet', instances, (instance) => this.instanceXml(instance));
  }

  private instanceXml(instance: FakeInstance): string {
    const { state } = this.cloud.refresh(instance);
    const dns = privateDnsName(instance, this.cloud.region);
    const reason = state === 'shutting-down' || state === 'terminated' ? instance.stateReason : undefined;
    return (
      element('instanceId', instance.instanceId) +
      element('imageId', instance.imageId) +
      `<instanceState>${stateXml(state)}</instanceState>` +
      element('privateDnsName', dns) +
      element('instanceType', instance.instanceType) +
      element('launchTime', iso(instance.launchTime)) +
      `<placement>${element('availabilityZone', instance.zone)}</placement>` +
      element('subnetId', instance.subnetId) +
      element('privateIpAddress', instance.privateIp) +
      (reason ? wrap('stateReason', element('code', reason.split(':')[0]) + element('message', reason)) : '') +
      element('instanceLifecycle', instance.lifecycle === 'spot' ? 'spot' : undefined) +
      element('spotInstanceRequestId', instance.spotInstanceRequestId) +
      ec2TagSet(instance.tags)
    );
  }
}

/** `InvalidInstanceID.NotFound` with AWS's message (EC2 API Reference, "Error codes", example error response). */
function notFound(ids: readonly string[]): QueryError {
  return new QueryError('InvalidInstanceID.NotFound', ids.length === 1 ? `The instance ID '${ids[0]}' does not exist` : `The instance IDs '${ids.join(', ')}' do not exist`);
}

function stateXml(state: FakeInstance['state']): string {
  return `${element('code', STATE_CODES[state])}${element('name', state)}`;
}

function launchTemplateXml(template: FakeLaunchTemplate): string {
  return (
    `${element('launchTemplateId', template.id)}${element('launchTemplateName', template.name)}${element('defaultVersionNumber', 1)}${element('latestVersionNumber', 1)}` +
    `${element('createTime', iso(template.createdAt))}${ec2TagSet(template.ownTags)}`
  );
}

/**
 * EC2's IP-based private DNS name: `ip-10-0-0-4.ec2.internal` in us-east-1,
 * `ip-10-0-0-4.<region>.compute.internal` elsewhere (EC2 User Guide, "Hostname types", private
 * hostnames, https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/hostname-types.html).
 * DescribeInstances filters on it as `private-dns-name`.
 */
function privateDnsName(instance: FakeInstance, region: string): string {
  const domain = region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`;
  return `ip-${instance.privateIp.replaceAll('.', '-')}.${domain}`;
}
