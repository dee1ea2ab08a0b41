import { element, itemSet, list, QueryError } from './query-protocol.js';
import { DEFAULT_VPC } from './subnets.js';

/** Security groups and key pairs that exist; when a list is absent every `sg-*` id (in the default VPC) and every key name exists. */
export interface SecurityResourcesConfig {
  /** security group id → its VPC */
  securityGroups?: Record<string, string>;
  keyPairs?: string[];
}

/**
 * DescribeSecurityGroups (EC2 API Reference, "DescribeSecurityGroups" and "SecurityGroup",
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SecurityGroup.html): GroupId.N,
 * answering `securityGroupInfo` items with groupId, groupName, groupDescription, ownerId and vpcId;
 * and DescribeKeyPairs ("DescribeKeyPairs",
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeKeyPairs.html): KeyName.N,
 * answering `keySet` items (keyPairId, keyName, keyFingerprint, keyType). An unknown id or name fails
 * the whole call with `InvalidGroup.NotFound` / `InvalidKeyPair.NotFound` ("Error codes for the Amazon
 * EC2 API", https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html; the message
 * texts are not documented).
 */
export class FakeSecurityResources {
  constructor(private readonly config: SecurityResourcesConfig = {}) {}

  vpcOfGroup(id: string): string | undefined {
    if (this.config.securityGroups) return this.config.securityGroups[id];
    return id.startsWith('sg-') ? DEFAULT_VPC : undefined;
  }

  answer(action: string, params: URLSearchParams): string | undefined {
    switch (action) {
      case 'DescribeSecurityGroups': {
        const ids = list(params, 'GroupId');
        const unknown = ids.filter((id) => !this.vpcOfGroup(id));
        if (unknown.length > 0) throw new QueryError('InvalidGroup.NotFound', `The security group '${unknown[0]}' does not exist`);
        return itemSet('securityGroupInfo', ids, (id) =>
          element('ownerId', '123456789012') + element('groupName', `group-${id.slice(3)}`) + element('groupId', id) + element('groupDescription', 'fake') + element('vpcId', this.vpcOfGroup(id)),
        );
      }
      case 'DescribeKeyPairs': {
        const names = list(params, 'KeyName');
        const unknown = names.filter((name) => this.config.keyPairs && !this.config.keyPairs.includes(name));
        if (unknown.length > 0) throw new QueryError('InvalidKeyPair.NotFound', `The key pair '${unknown[0]}' does not exist`);
        return itemSet('keySet', names, (name) => element('keyPairId', `key-${Buffer.from(name).toString('hex').slice(0, 17)}`) + element('keyName', name) + element('keyFingerprint', '1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca:9f:f5:f1:6f') + element('keyType', 'rsa'));
      }
      default:
        return undefined;
    }
  }
}
