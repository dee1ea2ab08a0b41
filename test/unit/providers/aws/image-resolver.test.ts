import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../../src/providers/aws/ec2/aws-clients.js';
import { AwsGateway } from '../../../../src/providers/aws/ec2/aws-gateway.js';
import { parseAwsConfig } from '../../../../src/providers/aws/aws-config.js';
import { IMAGE_PARAMETER_TTL_MS, ImageResolver } from '../../../../src/providers/aws/image-resolver.js';
import { awsError, ec2Mock, FakeClock, inputsOf, MemoryLogger, resetMocks, ssmMock } from './aws-test-kit.js';

const PARAMETER = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64';

function resolver(clock: FakeClock): ImageResolver {
  const config = parseAwsConfig({ AWS_REGION: 'us-east-1' }, 'awsprov_config.json');
  const clients = new AwsClients({ config, providerName: 'awsinst', workDir: '/nonexistent' });
  return new ImageResolver(new AwsGateway(clients.inRegion('us-east-1'), config, new MemoryLogger()), clock);
}

describe('ImageResolver', () => {
  beforeEach(() => resetMocks());

  it('reads an SSM parameter again once its AMI id is older than the TTL (a long-lived server sees a new AMI), and not before', async () => {
    ssmMock.on(GetParameterCommand).resolvesOnce({ Parameter: { Value: 'ami-0old' } }).resolves({ Parameter: { Value: 'ami-0new' } });
    const clock = new FakeClock();
    const images = resolver(clock);

    expect((await images.resolve(PARAMETER, false)).imageId).toBe('ami-0old');
    clock.time += IMAGE_PARAMETER_TTL_MS - 1;
    expect((await images.resolve(PARAMETER, false)).imageId).toBe('ami-0old');
    expect(inputsOf(ssmMock, GetParameterCommand)).toHaveLength(1);

    clock.time += 1;
    expect((await images.resolve(PARAMETER, false)).imageId).toBe('ami-0new');
    expect(inputsOf(ssmMock, GetParameterCommand)).toHaveLength(2);
  });

  it("keeps an AMI's root device for the life of the process, and forgets a failed lookup at once", async () => {
    ec2Mock.on(DescribeImagesCommand).rejectsOnce(awsError('RequestLimitExceeded')).resolves({ Images: [{ ImageId: 'ami-0abc', RootDeviceName: '/dev/xvda' }] });
    const clock = new FakeClock();
    const images = resolver(clock);

    await expect(images.resolve('ami-0abc', true)).rejects.toThrow();
    expect(await images.resolve('ami-0abc', true)).toEqual({ imageId: 'ami-0abc', rootDeviceName: '/dev/xvda' });
    clock.time += 100 * IMAGE_PARAMETER_TTL_MS;
    expect(await images.resolve('ami-0abc', true)).toEqual({ imageId: 'ami-0abc', rootDeviceName: '/dev/xvda' });
    expect(inputsOf(ec2Mock, DescribeImagesCommand)).toHaveLength(2);
  });
});
