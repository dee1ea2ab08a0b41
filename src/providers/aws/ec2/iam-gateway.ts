import { send } from './aws-call.js';
import type { RegionalClients } from './aws-clients.js';
import { isNoSuchEntity } from './aws-errors.js';

/** The name at the end of an IAM ARN (`arn:aws:iam::123456789012:role/path/name` → `name`), or the name itself. */
export function iamName(nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? (nameOrArn.split('/').pop() ?? nameOrArn) : nameOrArn;
}

/** IAM reads (GetInstanceProfile, GetRole): do the roles a template names exist. IAM is loaded on first use. */
export class IamGateway {
  constructor(private readonly clients: RegionalClients) {}

  /** The role names of the instance profile, or undefined when it does not exist. */
  async instanceProfileRoles(nameOrArn: string): Promise<string[] | undefined> {
    const { sdk, client } = await this.clients.iam();
    try {
      const output = await send('iam:GetInstanceProfile', () => client.send(new sdk.GetInstanceProfileCommand({ InstanceProfileName: iamName(nameOrArn) })));
      return (output.InstanceProfile?.Roles ?? []).map((role) => role.RoleName ?? '');
    } catch (error) {
      if (isNoSuchEntity(error)) return undefined;
      throw error;
    }
  }

  /** The role's ARN, or undefined when it does not exist. */
  async roleArn(nameOrArn: string): Promise<string | undefined> {
    const { sdk, client } = await this.clients.iam();
    try {
      const output = await send('iam:GetRole', () => client.send(new sdk.GetRoleCommand({ RoleName: iamName(nameOrArn) })));
      return output.Role?.Arn ?? nameOrArn;
    } catch (error) {
      if (isNoSuchEntity(error)) return undefined;
      throw error;
    }
  }
}
