/**
 * The AWS query protocols as the SDK speaks them: form-encoded parameters in, XML out. EC2 uses
 * `Name.N` lists and lowerCamel `xxxSet/item` answers; Auto Scaling (awsQuery) uses
 * `Name.member.N` lists and `<XResponse><XResult>` answers with PascalCase members.
 */

export const EC2_VERSION = '2016-11-15';
export const AUTOSCALING_VERSION = '2011-01-01';
/** IAM speaks awsQuery too (IAM API Reference, "Making query requests"); its calls carry this `Version`. */
export const IAM_VERSION = '2010-05-08';

/** The XML namespace of an awsQuery service's answers, by its `Version`. */
function queryNamespace(version: string): string {
  return version === IAM_VERSION ? `https://iam.amazonaws.com/doc/${IAM_VERSION}/` : `http://autoscaling.amazonaws.com/doc/${AUTOSCALING_VERSION}/`;
}

/** An AWS error answer: its code, message and HTTP status. */
export class QueryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const escapeXml = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** `<name>value</name>`, or nothing when the value is undefined. */
export function element(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** `<name>` around already-built XML. */
export function wrap(name: string, inner: string): string {
  return `<${name}>${inner}</${name}>`;
}

/** An EC2 list: `<name><item>…</item>…</name>`. */
export function itemSet<T>(name: string, items: readonly T[], render: (item: T) => string): string {
  return wrap(name, items.map((item) => wrap('item', render(item))).join(''));
}

/** An awsQuery list: `<Name><member>…</member>…</Name>`. */
export function memberList<T>(name: string, items: readonly T[], render: (item: T) => string): string {
  return wrap(name, items.map((item) => wrap('member', render(item))).join(''));
}

export function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

export function ec2TagSet(tags: Record<string, string>): string {
  return itemSet('tagSet', Object.entries(tags).filter(([key]) => !key.startsWith('fake:')), ([key, value]) => element('key', key) + element('value', value));
}

export function ec2Response(action: string, requestId: string, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="http://ec2.amazonaws.com/doc/${EC2_VERSION}/"><requestId>${requestId}</requestId>${body}</${action}Response>`;
}

export function ec2ErrorResponse(error: QueryError, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error>${element('Code', error.code)}${element('Message', error.message)}</Error></Errors><RequestID>${requestId}</RequestID></Response>`;
}

export function awsQueryResponse(action: string, requestId: string, result: string, version = AUTOSCALING_VERSION): string {
  const ns = queryNamespace(version);
  return `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="${ns}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

export function awsQueryErrorResponse(error: QueryError, requestId: string, version = AUTOSCALING_VERSION): string {
  const ns = queryNamespace(version);
  return `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse xmlns="${ns}"><Error><Type>Sender</Type>${element('Code', error.code)}${element('Message', error.message)}</Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

/** `prefix.1`, `prefix.2`… (EC2 flattened list of scalars). */
export function list(params: URLSearchParams, prefix: string): string[] {
  const values: string[] = [];
  for (let index = 1; params.has(`${prefix}.${index}`); index += 1) values.push(params.get(`${prefix}.${index}`)!);
  return values;
}

/** `prefix.member.1`, `prefix.member.2`… (awsQuery list of scalars). */
export function members(params: URLSearchParams, prefix: string): string[] {
  return list(params, `${prefix}.member`);
}

/** The `prefix.N` of a list of structures, each as its own prefix: `prefix.1`, `prefix.2`… */
export function structures(params: URLSearchParams, prefix: string): string[] {
  const found: string[] = [];
  const start = `${prefix}.`;
  const indexes = new Set<number>();
  for (const key of params.keys()) {
    if (!key.startsWith(start)) continue;
    const index = Number(key.slice(start.length).split('.')[0]);
    if (Number.isInteger(index) && index > 0) indexes.add(index);
  }
  for (const index of [...indexes].sort((a, b) => a - b)) found.push(`${prefix}.${index}`);
  return found;
}

export function numberParam(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  return value === null || value === '' ? undefined : Number(value);
}

export function flagParam(params: URLSearchParams, name: string): boolean | undefined {
  const value = params.get(name);
  return value === null ? undefined : value === 'true';
}

/** `prefix.N.Key` / `prefix.N.Value` pairs as a record. */
export function tags(params: URLSearchParams, prefix: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (let index = 1; params.has(`${prefix}.${index}.Key`); index += 1) result[params.get(`${prefix}.${index}.Key`)!] = params.get(`${prefix}.${index}.Value`) ?? '';
  return result;
}

/** The tags of one resource type in a `TagSpecification.N` list. */
export function specTags(params: URLSearchParams, prefix: string, resourceType: string): Record<string, string> {
  for (let index = 1; params.has(`${prefix}.${index}.ResourceType`); index += 1) {
    if (params.get(`${prefix}.${index}.ResourceType`) === resourceType) return tags(params, `${prefix}.${index}.Tag`);
  }
  return {};
}

/** EC2 `Filter.N.Name` / `Filter.N.Value.M`. */
export function filters(params: URLSearchParams): Array<[string, string[]]> {
  const result: Array<[string, string[]]> = [];
  for (let index = 1; params.has(`Filter.${index}.Name`); index += 1) result.push([params.get(`Filter.${index}.Name`)!, list(params, `Filter.${index}.Value`)]);
  return result;
}

/** awsQuery `Filters.member.N.Name` / `Filters.member.N.Values.member.M`. */
export function queryFilters(params: URLSearchParams): Array<[string, string[]]> {
  const result: Array<[string, string[]]> = [];
  for (let index = 1; params.has(`Filters.member.${index}.Name`); index += 1) {
    result.push([params.get(`Filters.member.${index}.Name`)!, members(params, `Filters.member.${index}.Values`)]);
  }
  return result;
}

/** Matches a `tag:<key>` filter against tags; other filter names are left to the caller. */
export function matchesTagFilter(name: string, values: readonly string[], resourceTags: Record<string, string>): boolean {
  if (name.startsWith('tag:')) return values.includes(resourceTags[name.slice(4)] ?? '\u0000');
  if (name === 'tag-key') return values.some((value) => value in resourceTags);
  if (name === 'tag-value') return Object.values(resourceTags).some((value) => values.includes(value));
  return true;
}
