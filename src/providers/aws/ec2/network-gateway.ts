import type { Subnet } from '@aws-sdk/client-ec2';
import type { AwsConfig } from '../aws-config.js';
import { describe, describeKnown } from './aws-call.js';
import type { RegionalClients } from './aws-clients.js';
import { awsErrorCode } from './aws-errors.js';

/** EC2 answers `InvalidSubnetID.NotFound` / `InvalidGroup.NotFound` / `InvalidKeyPair.NotFound` for an unknown id or name, and fails the whole call. */
const isUnknownSubnet = (error: unknown): boolean => awsErrorCode(error) === 'InvalidSubnetID.NotFound';
const isUnknownGroup = (error: unknown): boolean => awsErrorCode(error) === 'InvalidGroup.NotFound' || awsErrorCode(error) === 'InvalidGroupId.Malformed';
const isUnknownKeyPair = (error: unknown): boolean => awsErrorCode(error) === 'InvalidKeyPair.NotFound';

/** Where instances are placed and how they are reached: subnets, security groups and key pairs, as a template names them. */
export class NetworkGateway {
  constructor(
    private readonly clients: RegionalClients,
    private readonly config: AwsConfig,
  ) {}

  /** The subnets EC2 knows among `ids` (DescribeSubnets, 200 a call); unknown ones are left out. */
  async knownSubnets(ids: readonly string[]): Promise<Subnet[]> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    return describeKnown(
      ids,
      200,
      async (part) => (await describe(this.config, 'ec2:DescribeSubnets', () => ec2.send(new sdk.DescribeSubnetsCommand({ SubnetIds: part })))).Subnets ?? [],
      isUnknownSubnet,
    );
  }

  /** The VPC of each security group EC2 knows among `ids`; unknown ones are left out. */
  async securityGroupVpcs(ids: readonly string[]): Promise<Map<string, string>> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const groups = await describeKnown(
      ids,
      200,
      async (part) => (await describe(this.config, 'ec2:DescribeSecurityGroups', () => ec2.send(new sdk.DescribeSecurityGroupsCommand({ GroupIds: part })))).SecurityGroups ?? [],
      isUnknownGroup,
    );
    return new Map(groups.flatMap((group) => (group.GroupId ? [[group.GroupId, group.VpcId ?? '']] : [])));
  }

  /** The key pairs EC2 knows among `names`. */
  async keyPairs(names: readonly string[]): Promise<Set<string>> {
    const { sdk, client: ec2 } = await this.clients.ec2();
    const pairs = await describeKnown(
      names,
      200,
      async (part) => (await describe(this.config, 'ec2:DescribeKeyPairs', () => ec2.send(new sdk.DescribeKeyPairsCommand({ KeyNames: part })))).KeyPairs ?? [],
      isUnknownKeyPair,
    );
    return new Set(pairs.flatMap((pair) => (pair.KeyName ? [pair.KeyName] : [])));
  }
}
