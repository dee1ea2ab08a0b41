import { PROVIDER_API_VERSION, type ProviderPlugin } from '../../plugin/provider-plugin.js';
import { PACKAGE_VERSION } from '../../shared/package-version.js';
import { AwsCloudProvider } from './aws-cloud-provider.js';
import { awsFileSchema, type AwsConfig } from './aws-config.js';
import type { AwsSettings } from './aws-settings.js';
import { AwsClients } from './ec2/aws-clients.js';
import { SqsInterruptionFeed } from './interruption/sqs-interruption-feed.js';
import { AwsPriceSource } from './prices/aws-price-source.js';

/**
 * AWS as a provider plugin. Imported only when an instance uses it; the SDK clients load later
 * still, on their first call (AwsClients), so a call that sends nothing to AWS loads no SDK.
 */
const awsProvider: ProviderPlugin<AwsConfig> = {
  apiVersion: PROVIDER_API_VERSION,
  id: 'aws',
  version: PACKAGE_VERSION,
  description: 'EC2 capacity through RunInstances, EC2 Fleet, Spot Fleet and Auto Scaling groups',
  capabilities: ['spot', 'fleets', 'reclaims', 'reconcile', 'prices', 'validate', 'dry-run'],
  configSchema: () => awsFileSchema,
  create: ({ config, providerName, workDir, clock, logger, metrics, store, templates }) => {
    const settings: AwsSettings = { config, providerName, workDir };
    const clients = new AwsClients(settings, metrics);
    return {
      cloud: new AwsCloudProvider(settings, clients, clock, logger, store.leases, templates),
      prices: new AwsPriceSource(settings, clients, clock, metrics),
      interruptions: config.interruptionQueueUrl ? new SqsInterruptionFeed(settings, clients, clock, logger) : undefined,
    };
  },
};

export default awsProvider;
