import type {
  CreateFleetCommandInput,
  CreateFleetCommandOutput,
  LaunchTemplateConfig,
  RunInstancesCommandInput,
  RunInstancesCommandOutput,
  SpotFleetRequestConfigData,
} from '@aws-sdk/client-ec2';
import type { Logger } from '../../../domain/ports/logger.js';
import type { AwsConfig } from '../aws-config.js';
import type { RegionalClients } from './aws-clients.js';
import type { AwsGateway } from './aws-gateway.js';
import { Ec2FleetGateway } from './ec2-fleet-gateway.js';
import { InstanceGateway } from './instance-gateway.js';
import { SpotFleetGateway } from './spot-fleet-gateway.js';

/**
 * A launch template id that is not an `lt-…` id stands for the launch template the first request
 * will make, by its name (it does not exist yet): RunInstances then carries the content inline (the
 * handler adds it for a template it did not make) and drops the reference; fleets name it.
 */
interface TemplateSpec {
  LaunchTemplateId?: string;
  LaunchTemplateName?: string;
  Version?: string;
}

const isPending = (id: string | undefined): boolean => id !== undefined && !id.startsWith('lt-');

function named<T extends { LaunchTemplateSpecification?: TemplateSpec }>(config: T): T {
  const spec = config.LaunchTemplateSpecification;
  if (!spec || !isPending(spec.LaunchTemplateId)) return config;
  return { ...config, LaunchTemplateSpecification: { LaunchTemplateName: spec.LaunchTemplateId, Version: spec.Version } };
}

/** RunInstances with DryRun. */
class DryRunInstanceGateway extends InstanceGateway {
  override run(input: RunInstancesCommandInput): Promise<RunInstancesCommandOutput> {
    const { LaunchTemplate, ...rest } = input;
    return super.run({ ...rest, ...(LaunchTemplate && !isPending(LaunchTemplate.LaunchTemplateId) ? { LaunchTemplate } : {}), DryRun: true });
  }
}

/** CreateFleet with DryRun. */
class DryRunEc2FleetGateway extends Ec2FleetGateway {
  override create(input: CreateFleetCommandInput): Promise<CreateFleetCommandOutput> {
    return super.create({ ...input, LaunchTemplateConfigs: input.LaunchTemplateConfigs?.map(named), DryRun: true });
  }
}

/** RequestSpotFleet with DryRun. */
class DryRunSpotFleetGateway extends SpotFleetGateway {
  override request(config: SpotFleetRequestConfigData): Promise<string | undefined> {
    return super.request({ ...config, LaunchTemplateConfigs: config.LaunchTemplateConfigs?.map((entry: LaunchTemplateConfig) => named(entry)) }, true);
  }
}

/**
 * The gateway with its launch calls (RunInstances, CreateFleet, RequestSpotFleet) sent with
 * `DryRun`: an API handler launching through it makes the very call a request would make, and AWS
 * carries out nothing. It answers with an error either way: `DryRunOperation` ("the user has the
 * required permissions, so the request would have succeeded, but the DryRun parameter was used")
 * or `UnauthorizedOperation` (EC2 API Reference, "Error codes for the Amazon EC2 API",
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html). Every other call is
 * the real gateway's.
 */
export function dryRunGateway(gateway: AwsGateway, clients: RegionalClients, config: AwsConfig, logger: Logger): AwsGateway {
  return {
    ...gateway,
    instances: new DryRunInstanceGateway(clients, config),
    ec2Fleets: new DryRunEc2FleetGateway(clients, config, logger),
    spotFleets: new DryRunSpotFleetGateway(clients, config, logger),
  };
}
