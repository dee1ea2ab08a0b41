import { element, iso, memberList, QueryError, wrap } from './query-protocol.js';

/** Instance profiles (name → its roles) and roles that exist; when absent, every name exists (a profile holding the role of its own name). */
export interface IamConfig {
  instanceProfiles?: Record<string, string[]>;
  roles?: string[];
}

const ACCOUNT = '123456789012';
const CREATED = Date.UTC(2024, 0, 15);

/**
 * IAM's two reads the provider makes, awsQuery on the same URL (routed by `Version` 2010-05-08).
 * GetInstanceProfile (IAM API Reference, "GetInstanceProfile",
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetInstanceProfile.html): InstanceProfileName,
 * answering InstanceProfile (Path, InstanceProfileName, InstanceProfileId, Arn, CreateDate, Roles).
 * GetRole ("GetRole", https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html): RoleName,
 * answering Role (Path, RoleName, RoleId, Arn, CreateDate). Both answer `NoSuchEntity`, HTTP 404, for
 * a name that does not exist ("The error message describes the resource"; the texts are AWS's usual).
 */
export class FakeIam {
  constructor(private readonly config: IamConfig = {}) {}

  answer(action: string, params: URLSearchParams): string | undefined {
    switch (action) {
      case 'GetInstanceProfile': {
        const name = params.get('InstanceProfileName') ?? '';
        const roles = this.config.instanceProfiles ? this.config.instanceProfiles[name] : [name];
        if (!roles) throw new QueryError('NoSuchEntity', `Instance Profile ${name} cannot be found.`, 404);
        return wrap(
          'InstanceProfile',
          element('Path', '/') +
            element('InstanceProfileName', name) +
            element('InstanceProfileId', `AIPA${hexOf(name)}`) +
            element('Arn', `arn:aws:iam::${ACCOUNT}:instance-profile/${name}`) +
            element('CreateDate', iso(CREATED)) +
            memberList('Roles', roles, roleXml),
        );
      }
      case 'GetRole': {
        const name = params.get('RoleName') ?? '';
        if (this.config.roles && !this.config.roles.includes(name)) throw new QueryError('NoSuchEntity', `The role with name ${name} cannot be found.`, 404);
        return wrap('Role', roleXml(name));
      }
      default:
        return undefined;
    }
  }
}

function roleXml(name: string): string {
  return element('Path', '/') + element('RoleName', name) + element('RoleId', `AROA${hexOf(name)}`) + element('Arn', `arn:aws:iam::${ACCOUNT}:role/${name}`) + element('CreateDate', iso(CREATED));
}

function hexOf(name: string): string {
  return Buffer.from(name).toString('hex').toUpperCase().padEnd(17, '0').slice(0, 17);
}
