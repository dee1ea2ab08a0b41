import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny EC2-compatible endpoint for tests: the EC2 query protocol (form-encoded POST, XML
 * answers) for RunInstances, DescribeInstances, TerminateInstances, DescribeImages,
 * CreateLaunchTemplate / DescribeLaunchTemplates / DeleteLaunchTemplate, DescribeInstanceStatus,
 * and empty answers for DescribeFleets / DescribeSpotFleetRequests. ClientToken is honoured.
 * Instances boot after 5 s and shut down after 5 s of the given clock.
 */
export interface FakeInstance {
  instanceId: string;
  imageId: string;
  instanceType: string;
  subnetId: string;
  privateIp: string;
  launchTime: number;
  state: 'pending' | 'running' | 'shutting-down' | 'terminated';
  since: number;
  tags: Record<string, string>;
}

interface FakeLaunchTemplate {
  id: string;
  name: string;
  imageId: string;
  tags: Record<string, string>;
}

const TRANSITION_MS = 5000;
const STATE_CODES = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48 };

const escape = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const element = (name: string, value: string | number | undefined) => (value === undefined ? '' : `<${name}>${escape(String(value))}</${name}>`);
const tagSet = (tags: Record<string, string>) =>
  `<tagSet>${Object.entries(tags).map(([key, value]) => `<item>${element('key', key)}${element('value', value)}</item>`).join('')}</tagSet>`;

class QueryError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export class FakeEc2Server {
  readonly instances = new Map<string, FakeInstance>();
  readonly launchTemplates = new Map<string, FakeLaunchTemplate>();
  /** Every call received: action and its parameters. */
  readonly calls: Array<{ action: string; params: URLSearchParams }> = [];
  private readonly tokens = new Map<string, string>();
  private server?: Server;
  private counter = 0;

  constructor(private readonly now: () => number, private readonly images: Record<string, string> = {}) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  actions(): string[] {
    return this.calls.map((call) => call.action);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const action = params.get('Action') ?? '';
    this.calls.push({ action, params });
    try {
      const body = this.answer(action, params);
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end(`<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>fake-${this.counter++}</requestId>${body}</${action}Response>`);
    } catch (error) {
      const code = error instanceof QueryError ? error.code : 'InternalError';
      response.writeHead(code === 'InternalError' ? 500 : 400, { 'content-type': 'text/xml' });
      response.end(`<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error>${element('Code', code)}${element('Message', (error as Error).message)}</Error></Errors><RequestID>fake</RequestID></Response>`);
    }
  }

  private answer(action: string, params: URLSearchParams): string {
    switch (action) {
      case 'RunInstances':
        return this.runInstances(params);
      case 'DescribeInstances':
        return this.describeInstances(params);
      case 'TerminateInstances':
        return this.terminateInstances(params);
      case 'DescribeImages':
        return `<imagesSet>${list(params, 'ImageId')
          .filter((id) => this.images[id])
          .map((id) => `<item>${element('imageId', id)}${element('rootDeviceName', this.images[id])}${element('rootDeviceType', 'ebs')}</item>`)
          .join('')}</imagesSet>`;
      case 'CreateLaunchTemplate':
        return this.createLaunchTemplate(params);
      case 'DescribeLaunchTemplates': {
        const names = list(params, 'LaunchTemplateName');
        const found = [...this.launchTemplates.values()].filter((template) => names.length === 0 || names.includes(template.name));
        if (names.length > 0 && found.length === 0) throw new QueryError('InvalidLaunchTemplateName.NotFoundException', 'At least one of the launch templates specified in the request does not exist.');
        return `<launchTemplates>${found.map((template) => `<item>${launchTemplateXml(template)}</item>`).join('')}</launchTemplates>`;
      }
      case 'DeleteLaunchTemplate': {
        const template = this.launchTemplates.get(params.get('LaunchTemplateId') ?? '');
        if (!template) throw new QueryError('InvalidLaunchTemplateId.NotFound', 'The specified launch template does not exist.');
        this.launchTemplates.delete(template.id);
        return `<launchTemplate>${launchTemplateXml(template)}</launchTemplate>`;
      }
      case 'DescribeInstanceStatus':
        return '<instanceStatusSet/>';
      case 'DescribeFleets':
        return '<fleetSet/>';
      case 'DescribeSpotFleetRequests':
        return '<spotFleetRequestConfigSet/>';
      case 'CreateTags':
        for (const id of list(params, 'ResourceId')) {
          const instance = this.instances.get(id);
          if (instance) Object.assign(instance.tags, tags(params, 'Tag'));
        }
        return '<return>true</return>';
      default:
        throw new QueryError('InvalidAction', `The action ${action} is not valid for this web service.`);
    }
  }

  private runInstances(params: URLSearchParams): string {
    const token = params.get('ClientToken');
    const reservationId = token ? this.tokens.get(token) : undefined;
    if (reservationId) return this.reservationXml(reservationId, [...this.instances.values()].filter((instance) => instance.tags['fake:reservation'] === reservationId));
    const template = this.launchTemplates.get(params.get('LaunchTemplate.LaunchTemplateId') ?? '');
    const imageId = params.get('ImageId') ?? template?.imageId;
    if (!imageId) throw new QueryError('MissingParameter', 'The request must contain the parameter ImageId');
    const count = Number(params.get('MaxCount') ?? '1');
    const id = `r-${(++this.counter).toString(16).padStart(17, '0')}`;
    if (token) this.tokens.set(token, id);
    const launched: FakeInstance[] = [];
    for (let index = 0; index < count; index += 1) {
      const n = this.instances.size + 1;
      const instance: FakeInstance = {
        instanceId: `i-${(0xa0000 + n).toString(16).padStart(17, '0')}`,
        imageId,
        instanceType: params.get('InstanceType') ?? 'm5.large',
        subnetId: params.get('SubnetId') ?? 'subnet-default',
        privateIp: `10.0.${Math.floor(n / 250)}.${(n % 250) + 1}`,
        launchTime: this.now(),
        state: 'pending',
        since: this.now(),
        tags: {
          ...(template?.tags ?? {}),
          ...specTags(params, 'TagSpecification', 'instance'),
          ...(template ? { 'aws:ec2launchtemplate:id': template.id } : {}),
          'fake:reservation': id,
        },
      };
      this.instances.set(instance.instanceId, instance);
      launched.push(instance);
    }
    return this.reservationXml(id, launched);
  }

  private describeInstances(params: URLSearchParams): string {
    const ids = list(params, 'InstanceId');
    const missing = ids.filter((id) => !this.instances.has(id));
    if (missing.length > 0) {
      throw new QueryError('InvalidInstanceID.NotFound', missing.length === 1 ? `The instance ID '${missing[0]}' does not exist` : `The instance IDs '${missing.join(', ')}' do not exist`);
    }
    let found = ids.length > 0 ? ids.map((id) => this.instances.get(id)!) : [...this.instances.values()];
    for (const [name, values] of filters(params)) {
      found = found.filter((instance) => {
        if (name === 'instance-state-name') return values.includes(this.refresh(instance).state);
        if (name === 'instance-id') return values.includes(instance.instanceId);
        if (name.startsWith('tag:')) return values.includes(instance.tags[name.slice(4)] ?? '\u0000');
        return true;
      });
    }
    const byReservation = new Map<string, FakeInstance[]>();
    for (const instance of found) byReservation.set(instance.tags['fake:reservation'], [...(byReservation.get(instance.tags['fake:reservation']) ?? []), instance]);
    return `<reservationSet>${[...byReservation.entries()]
      .map(([id, members]) => `<item>${element('reservationId', id)}${element('ownerId', '123456789012')}<instancesSet>${members.map((m) => this.instanceXml(m)).join('')}</instancesSet></item>`)
      .join('')}</reservationSet>`;
  }

  private terminateInstances(params: URLSearchParams): string {
    const ids = list(params, 'InstanceId');
    const missing = ids.filter((id) => !this.instances.has(id));
    if (missing.length > 0) throw new QueryError('InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`);
    const items = ids.map((id) => {
      const instance = this.refresh(this.instances.get(id)!);
      const previous = instance.state;
      if (previous !== 'terminated' && previous !== 'shutting-down') {
        instance.state = 'shutting-down';
        instance.since = this.now();
      }
      return `<item>${element('instanceId', id)}<currentState>${stateXml(instance.state)}</currentState><previousState>${stateXml(previous)}</previousState></item>`;
    });
    return `<instancesSet>${items.join('')}</instancesSet>`;
  }

  private createLaunchTemplate(params: URLSearchParams): string {
    const name = params.get('LaunchTemplateName') ?? '';
    if ([...this.launchTemplates.values()].some((template) => template.name === name)) {
      throw new QueryError('InvalidLaunchTemplateName.AlreadyExistsException', `Launch template name already in use.`);
    }
    const template: FakeLaunchTemplate = {
      id: `lt-${(++this.counter).toString(16).padStart(17, '0')}`,
      name,
      imageId: params.get('LaunchTemplateData.ImageId') ?? '',
      tags: specTags(params, 'LaunchTemplateData.TagSpecification', 'instance'),
    };
    this.launchTemplates.set(template.id, template);
    return `<launchTemplate>${launchTemplateXml(template)}</launchTemplate>`;
  }

  private refresh(instance: FakeInstance): FakeInstance {
    const elapsed = this.now() - instance.since;
    if (instance.state === 'pending' && elapsed >= TRANSITION_MS) Object.assign(instance, { state: 'running', since: instance.since + TRANSITION_MS });
    if (instance.state === 'shutting-down' && elapsed >= TRANSITION_MS) Object.assign(instance, { state: 'terminated', since: instance.since + TRANSITION_MS });
    return instance;
  }

  private reservationXml(id: string, instances: FakeInstance[]): string {
    return `${element('reservationId', id)}${element('ownerId', '123456789012')}<instancesSet>${instances.map((instance) => this.instanceXml(instance)).join('')}</instancesSet>`;
  }

  private instanceXml(instance: FakeInstance): string {
    const { state } = this.refresh(instance);
    const dns = `ip-${instance.privateIp.replaceAll('.', '-')}.ec2.internal`;
    return `<item>${element('instanceId', instance.instanceId)}${element('imageId', instance.imageId)}<instanceState>${stateXml(state)}</instanceState>${element(
      'privateDnsName',
      dns,
    )}${element('instanceType', instance.instanceType)}${element('launchTime', new Date(instance.launchTime).toISOString())}${element('subnetId', instance.subnetId)}${element(
      'privateIpAddress',
      instance.privateIp,
    )}<placement>${element('availabilityZone', 'us-east-1a')}</placement>${tagSet(Object.fromEntries(Object.entries(instance.tags).filter(([key]) => !key.startsWith('fake:'))))}</item>`;
  }
}

function stateXml(state: FakeInstance['state']): string {
  return `${element('code', STATE_CODES[state])}${element('name', state)}`;
}

function launchTemplateXml(template: FakeLaunchTemplate): string {
  return `${element('launchTemplateId', template.id)}${element('launchTemplateName', template.name)}${element('defaultVersionNumber', 1)}${element('latestVersionNumber', 1)}`;
}

function list(params: URLSearchParams, prefix: string): string[] {
  const values: string[] = [];
  for (let index = 1; params.has(`${prefix}.${index}`); index += 1) values.push(params.get(`${prefix}.${index}`)!);
  return values;
}

function tags(params: URLSearchParams, prefix: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (let index = 1; params.has(`${prefix}.${index}.Key`); index += 1) result[params.get(`${prefix}.${index}.Key`)!] = params.get(`${prefix}.${index}.Value`) ?? '';
  return result;
}

function specTags(params: URLSearchParams, prefix: string, resourceType: string): Record<string, string> {
  for (let index = 1; params.has(`${prefix}.${index}.ResourceType`); index += 1) {
    if (params.get(`${prefix}.${index}.ResourceType`) === resourceType) return tags(params, `${prefix}.${index}.Tag`);
  }
  return {};
}

function filters(params: URLSearchParams): Array<[string, string[]]> {
  const result: Array<[string, string[]]> = [];
  for (let index = 1; params.has(`Filter.${index}.Name`); index += 1) result.push([params.get(`Filter.${index}.Name`)!, list(params, `Filter.${index}.Value`)]);
  return result;
}
