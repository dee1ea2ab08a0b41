import { FakeAutoScaling } from './auto-scaling-groups.js';
import { FakeEc2Fleets } from './ec2-fleets.js';
import { FakeEc2Instances } from './ec2-instances.js';
import { FakeCloud, type FakeCloudOptions } from './fake-cloud.js';
import { FakeInstanceCatalog } from './instance-catalog.js';
import { QueryError } from './query-protocol.js';
import { resourcesOfRequest, type RequestResources } from './request-resources.js';
import { FakeSecurityResources, type SecurityResourcesConfig } from './security-resources.js';
import { FakeSpotFleets } from './spot-fleets.js';
import type { SubnetConfig } from './subnets.js';

/** What differs between the regions of the fake account: the AMIs (id → root device name) and the subnets. */
export interface FakeRegionOptions {
  images?: Record<string, string>;
  subnets?: Record<string, SubnetConfig>;
}

/** Ids of each region's cloud start this far apart, so no two regions ever make the same instance id. */
const ID_SPACING = 2 ** 36;

/**
 * One region of the fake account, with state of its own: instances, launch templates, EC2 Fleets,
 * Spot Fleet requests, Auto Scaling groups, subnets and zones, AMIs, instance types. "Amazon EC2
 * resources are specific to the AWS Region or zone in which they reside" (EC2 User Guide, "Select
 * a Region for your Amazon EC2 resources",
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-regions-availability-zones-setup.html),
 * and each region has its own endpoint, `ec2.<region>.amazonaws.com` (EC2 Developer Guide, "Amazon
 * EC2 service endpoints", https://docs.aws.amazon.com/ec2/latest/devguide/ec2-endpoints.html): a
 * call reaches one region and sees nothing of another.
 */
export class FakeRegion {
  readonly cloud: FakeCloud;
  readonly ec2Fleets: FakeEc2Fleets;
  readonly spotFleets: FakeSpotFleets;
  readonly autoScaling: FakeAutoScaling;
  /** Instance types, offerings and spot prices (notOffered, setSpotPrice). */
  readonly catalog: FakeInstanceCatalog;
  private readonly ec2Instances: FakeEc2Instances;
  private readonly security: FakeSecurityResources;

  constructor(
    readonly name: string,
    index: number,
    now: () => number,
    images: Record<string, string>,
    options: FakeCloudOptions & SecurityResourcesConfig,
  ) {
    this.cloud = new FakeCloud(now, { ...options, region: name, firstId: index * ID_SPACING }, images);
    this.ec2Instances = new FakeEc2Instances(this.cloud, images);
    this.ec2Fleets = new FakeEc2Fleets(this.cloud);
    this.spotFleets = new FakeSpotFleets(this.cloud);
    this.autoScaling = new FakeAutoScaling(this.cloud);
    this.catalog = new FakeInstanceCatalog(now, () => this.cloud.subnets.zones());
    this.security = new FakeSecurityResources(options);
  }

  /** An EC2 or Auto Scaling query-protocol call's answer body; undefined for an action neither knows. */
  answer(service: 'ec2' | 'autoscaling', action: string, params: URLSearchParams): string | undefined {
    if (service === 'autoscaling') return this.autoScaling.answer(action, params);
    return (
      this.ec2Instances.answer(action, params) ??
      this.ec2Fleets.answer(action, params) ??
      this.spotFleets.answer(action, params) ??
      this.catalog.answer(action, params) ??
      this.security.answer(action, params)
    );
  }

  /** Ends the visibility lag now: every hidden instance, fleet and group becomes visible. */
  revealHidden(): void {
    this.cloud.visibilityLagMs = 0;
    const hidden = [...this.cloud.instances.values(), ...this.ec2Fleets.fleets.values(), ...this.spotFleets.fleets.values(), ...this.autoScaling.groups.values()];
    for (const resource of hidden) resource.visibleAt = undefined;
  }

  /** Everything this region holds for a HostFactory request (by its tags and its resources' tags). */
  resourcesOf(requestId: string): RequestResources {
    this.cloud.tick();
    return resourcesOfRequest(this, requestId);
  }
}

/**
 * The region a SigV4-signed call is for: the third field of the credential scope in its
 * Authorization header, `Credential=AKID/20130524/us-east-1/s3/aws4_request` (IAM User Guide,
 * "Authentication methods",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-authentication-methods.html).
 * With AWS_ENDPOINT_URL every region's client reaches the same URL, so this is how the fake tells
 * regions apart, as AWS does by endpoint. Undefined when the call is not signed.
 */
export function signedRegion(authorization: string | undefined): string | undefined {
  return /Credential=[^/,\s]+\/\d{8}\/([^/]+)\//.exec(authorization ?? '')?.[1];
}

/**
 * A call to a region the account has not enabled (an opt-in region) answers `AuthFailure` (401),
 * "AWS was not able to validate the provided access credentials": AWS gives no more specific
 * answer (as reported in fog/fog-aws#585 and turbot/steampipe-plugin-aws#75; the docs give no
 * message text).
 */
export function regionNotEnabled(): QueryError {
  return new QueryError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
}
