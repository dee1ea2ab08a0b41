import type { Logger } from '../../../domain/ports/logger.js';
import type { AwsConfig } from '../aws-config.js';
import type { RegionalClients } from './aws-clients.js';
import { AutoScalingGateway } from './auto-scaling-gateway.js';
import { Ec2FleetGateway } from './ec2-fleet-gateway.js';
import { IamGateway } from './iam-gateway.js';
import { InstanceGateway } from './instance-gateway.js';
import { InstanceTypeGateway } from './instance-type-gateway.js';
import { LaunchTemplateGateway } from './launch-template-gateway.js';
import { NetworkGateway } from './network-gateway.js';
import { ParameterGateway } from './parameter-gateway.js';
import { RegionGateway } from './region-gateway.js';
import { SpotFleetGateway } from './spot-fleet-gateway.js';

/** Every AWS call the provider makes, by resource family. Nothing else in the provider sends. */
export class AwsGateway {
  readonly instances: InstanceGateway;
  readonly ec2Fleets: Ec2FleetGateway;
  readonly spotFleets: SpotFleetGateway;
  readonly groups: AutoScalingGateway;
  readonly launchTemplates: LaunchTemplateGateway;
  readonly parameters: ParameterGateway;
  readonly region: RegionGateway;
  /** What `templates validate --cloud` looks up: instance types, subnets, security groups, key pairs, roles. */
  readonly instanceTypes: InstanceTypeGateway;
  readonly network: NetworkGateway;
  readonly iam: IamGateway;

  constructor(clients: RegionalClients, config: AwsConfig, logger: Logger) {
    this.instances = new InstanceGateway(clients, config);
    this.ec2Fleets = new Ec2FleetGateway(clients, config, logger);
    this.spotFleets = new SpotFleetGateway(clients, config, logger);
    this.groups = new AutoScalingGateway(clients, config);
    this.launchTemplates = new LaunchTemplateGateway(clients, config, this.instances);
    this.parameters = new ParameterGateway(clients);
    this.region = new RegionGateway(clients);
    this.instanceTypes = new InstanceTypeGateway(clients, config);
    this.network = new NetworkGateway(clients, config);
    this.iam = new IamGateway(clients);
  }
}
