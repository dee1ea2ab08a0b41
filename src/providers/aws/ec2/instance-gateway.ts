import type {
  Filter,
  Image,
  Instance,
  InstanceStatus,
  RunInstancesCommandInput,
  RunInstancesCommandOutput,
  SpotInstanceRequest,
  Subnet,
} from '@aws-sdk/client-ec2';
import type { AwsConfig } from '../aws-config.js';
import { toEc2Tags } from '../resource-tags.js';
import { chunk } from '../../../shared/chunk.js';
import { allPages, describe, describeKnown, EC2_BATCH, send } from './aws-call.js';
import type { RegionalClients } from './aws-clients.js';
import { awsErrorCode, awsErrorMessage, isNotFound } from './aws-errors.js';

export interface InstanceListing {
  instances: Map<string, Instance>;
  /** Ids EC2 does not know: never launched, terminated long ago, or not visible yet (eventual consistency). */
  missing: Set<string>;
}

/** Ids named in an `InvalidInstanceID.NotFound` message ("The instance IDs 'i-1, i-2' do not exist"). */
function missingIdsOf(error: unknown): string[] {
  if (awsErrorCode(error) !== 'InvalidInstanceID.NotFound') return [];
  return awsErrorMessage(error).match(/\bi-[0-9a-z]+/gi) ?? [];
}

const GONE = new Set(['shutting-down', 'terminated']);
/** States of an instance that still runs or can run again (EC2 filter `instance-state-name`). */
export const LIVE_INSTANCE_STATES = ['pending', 'running', 'stopping', 'stopped'];

/** Every EC2 instance call: launch, describe, terminate, tag, spot requests, status events, subnets, images. */
export class InstanceGateway {
  constructor(
    private readonly clients: RegionalClients,
    private readonly config: AwsConfig,
  ) {}

  async run(input: RunInstancesCommandInput): Promise<RunInstancesCommandOutput> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    return send('ec2:RunInstances', () => ec2.send(new sdk.RunInstancesCommand(input)));
  }

  /** DescribeInstances by id, 1000 a call; unknown ids are reported missing instead of failing the call. */
  async describe(ids: Iterable<string>): Promise<InstanceListing> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const listing: InstanceListing = { instances: new Map(), missing: new Set() };
    for (const part of chunk([...new Set(ids)], EC2_BATCH)) {
      let pending = part;
      while (pending.length > 0) {
        try {
          const output = await describe(this.config, 'ec2:DescribeInstances', () => ec2.send(new sdk.DescribeInstancesCommand({ InstanceIds: pending })));
          for (const reservation of output.Reservations ?? []) {
            for (const instance of reservation.Instances ?? []) if (instance.InstanceId) listing.instances.set(instance.InstanceId, instance);
          }
          for (const id of pending) if (!listing.instances.has(id)) listing.missing.add(id);
          pending = [];
        } catch (error) {
          const missing = missingIdsOf(error);
          if (missing.length === 0) throw error;
          for (const id of missing) listing.missing.add(id);
          pending = pending.filter((id) => !listing.missing.has(id));
        }
      }
    }
    return listing;
  }

  /** Instances whose private DNS name is among `names` (a `private-dns-name` filter, 200 values a call, all pages). */
  async byPrivateDnsNames(names: readonly string[]): Promise<Instance[]> {
    const found: Instance[] = [];
    for (const part of chunk([...new Set(names)], 200)) found.push(...(await this.matching([{ Name: 'private-dns-name', Values: part }])));
    return found;
  }

  /** Every instance matching the DescribeInstances `filters`, all pages of 1000. */
  async matching(filters: Filter[]): Promise<Instance[]> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const pages = await allPages((NextToken) =>
      describe(this.config, 'ec2:DescribeInstances', () => ec2.send(new sdk.DescribeInstancesCommand({ Filters: filters, MaxResults: 1000, NextToken }))),
    );
    return pages.flatMap((page) => (page.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []));
  }

  /**
   * Live instances (pending, running, stopping, stopped) tagged `tag`=`value`: DescribeInstances
   * filtered on both server-side, 1000 a page, all pages.
   */
  async liveTagged(tag: string, value: string): Promise<Instance[]> {
    return this.matching([
      { Name: `tag:${tag}`, Values: [value] },
      { Name: 'instance-state-name', Values: LIVE_INSTANCE_STATES },
    ]);
  }

  /**
   * TerminateInstances, 1000 a call. An `InvalidInstanceID.NotFound` is no proof the instance is
   * gone (a just-launched instance may not be visible yet), so those ids are described again:
   * the ones that show up live are terminated again; the ones EC2 still does not know are returned
   * as unconfirmed, for the caller to judge by their age.
   */
  async terminate(ids: Iterable<string>): Promise<{ unconfirmed: string[] }> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const notFound: string[] = [];
    for (const part of chunk([...new Set(ids)], EC2_BATCH)) {
      let pending = part;
      while (pending.length > 0) {
        try {
          await send('ec2:TerminateInstances', () => ec2.send(new sdk.TerminateInstancesCommand({ InstanceIds: pending })));
          pending = [];
        } catch (error) {
          const missing = new Set(missingIdsOf(error));
          if (missing.size === 0 && isNotFound(error) && pending.length === 1) missing.add(pending[0]);
          if (missing.size === 0) throw error;
          notFound.push(...pending.filter((id) => missing.has(id)));
          pending = pending.filter((id) => !missing.has(id));
        }
      }
    }
    if (notFound.length === 0) return { unconfirmed: [] };
    const recheck = await this.describe(notFound);
    const visible = [...recheck.instances.values()].filter((instance) => !GONE.has(instance.State?.Name ?? '')).map((instance) => instance.InstanceId!);
    if (visible.length > 0) await send('ec2:TerminateInstances', () => ec2.send(new sdk.TerminateInstancesCommand({ InstanceIds: visible })));
    return { unconfirmed: [...recheck.missing] };
  }

  async tag(ids: readonly string[], tags: Record<string, string>): Promise<void> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    for (const part of chunk(ids, EC2_BATCH)) await send('ec2:CreateTags', () => ec2.send(new sdk.CreateTagsCommand({ Resources: part, Tags: toEc2Tags(tags) })));
  }

  /** The spot instance requests among `ids` that EC2 still knows. */
  async spotRequests(ids: readonly string[]): Promise<SpotInstanceRequest[]> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    return describeKnown(ids, EC2_BATCH, async (part) => {
      const output = await describe(this.config, 'ec2:DescribeSpotInstanceRequests', () =>
        ec2.send(new sdk.DescribeSpotInstanceRequestsCommand({ SpotInstanceRequestIds: part })),
      );
      return output.SpotInstanceRequests ?? [];
    });
  }

  /** Status and scheduled events of instances, 100 a call (DescribeInstanceStatus's limit by id). */
  async statuses(ids: readonly string[]): Promise<InstanceStatus[]> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const statuses: InstanceStatus[] = [];
    for (const part of chunk(ids, 100)) {
      const output = await describe(this.config, 'ec2:DescribeInstanceStatus', () =>
        ec2.send(new sdk.DescribeInstanceStatusCommand({ InstanceIds: part, IncludeAllInstances: true })),
      );
      statuses.push(...(output.InstanceStatuses ?? []));
    }
    return statuses;
  }

  async subnets(ids: readonly string[]): Promise<Subnet[]> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const output = await describe(this.config, 'ec2:DescribeSubnets', () => ec2.send(new sdk.DescribeSubnetsCommand({ SubnetIds: [...ids] })));
    return output.Subnets ?? [];
  }

  async image(ami: string): Promise<Image | undefined> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const output = await describe(this.config, 'ec2:DescribeImages', () => ec2.send(new sdk.DescribeImagesCommand({ ImageIds: [ami] })));
    return output.Images?.[0];
  }
}
