import type { Tag } from '@aws-sdk/client-ec2';
import type { Template } from '../../domain/template.js';

export const TAG_REQUEST_ID = 'hostfactory:request-id';
export const TAG_TEMPLATE_ID = 'hostfactory:template-id';
export const TAG_PROVIDER = 'hostfactory:provider';
export const TAG_MANAGED_BY = 'hostfactory:managed-by';
export const MANAGED_BY = 'hostfactory';

/** Tags every instance of the template carries whatever the request: `instanceTags` + template + provider. */
export function templateTags(template: Template, providerName: string): Record<string, string> {
  return {
    ...template.instanceTags,
    [TAG_TEMPLATE_ID]: template.templateId,
    [TAG_PROVIDER]: providerName,
  };
}

/** Tags of every instance, fleet and group launched for a request. */
export function requestTags(template: Template, providerName: string, requestId: string): Record<string, string> {
  return { ...templateTags(template, providerName), [TAG_REQUEST_ID]: requestId };
}

export function toEc2Tags(tags: Record<string, string>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export function fromEc2Tags(tags: readonly Tag[] | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const tag of tags ?? []) {
    if (tag.Key && !tag.Key.startsWith('aws:')) result[tag.Key] = tag.Value ?? '';
  }
  return result;
}
