import { describeCloudProviderContract } from './cloud-provider-contract.js';
import { startAwsFakeEndpoint } from '../support/aws-fake-endpoint.js';

describeCloudProviderContract('AwsCloudProvider (EC2 query protocol over AWS_ENDPOINT_URL)', async () => {
  const endpoint = await startAwsFakeEndpoint();
  return {
    provider: endpoint.provider,
    advance: (seconds) => endpoint.clock.advance(seconds),
    setCapacity: (instanceType, available) => {
      if (available) endpoint.server.clearNoCapacity();
      else endpoint.server.setNoCapacity(instanceType);
    },
    close: () => endpoint.close(),
  };
});
