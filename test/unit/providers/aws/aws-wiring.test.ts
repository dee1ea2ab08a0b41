import { Container } from 'inversify';
import { describe, expect, it } from 'vitest';
import { CloudProvider } from '../../../../src/domain/ports/cloud-provider.js';
import { Clock } from '../../../../src/domain/ports/clock.js';
import { Logger } from '../../../../src/domain/ports/logger.js';
import { ResourceLease } from '../../../../src/domain/ports/resource-lease.js';
import { InMemoryResourceLease } from '../../../support/in-memory-resource-lease.js';
import { AwsClients } from '../../../../src/providers/aws/ec2/aws-clients.js';
import { AwsCloudProvider } from '../../../../src/providers/aws/aws-cloud-provider.js';
import { parseAwsConfig } from '../../../../src/providers/aws/aws-config.js';
import { AwsSettings } from '../../../../src/providers/aws/aws-settings.js';
import { FakeClock, MemoryLogger } from './aws-test-kit.js';

describe('wiring the AWS provider with inversify', () => {
  it('resolves AwsCloudProvider from the bindings the composition root makes, sharing one AwsClients', () => {
    const container = new Container();
    container.bind(AwsSettings).toConstantValue({ config: parseAwsConfig({ AWS_REGION: 'us-east-1' }, 'awsprov_config.json'), providerName: 'aws', workDir: '/nonexistent' });
    container.bind(AwsClients).toSelf().inSingletonScope();
    container.bind(Clock).toConstantValue(new FakeClock());
    container.bind(Logger).toConstantValue(new MemoryLogger());
    container.bind(ResourceLease).toConstantValue(new InMemoryResourceLease(new FakeClock()));
    container.bind(CloudProvider).to(AwsCloudProvider).inSingletonScope();

    const provider = container.get(CloudProvider);
    expect(provider).toBeInstanceOf(AwsCloudProvider);
    expect(container.get(AwsClients)).toBe(container.get(AwsClients));
    expect(container.get(AwsClients).loaded()).toEqual([]);
  });
});
