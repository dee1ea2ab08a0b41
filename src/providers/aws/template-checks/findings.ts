import type { CheckStatus, TemplateFinding } from '../../../domain/ports/cloud-provider.js';
import { AwsCallError, awsReason, isPermissionDenied } from '../ec2/aws-errors.js';

export const finding = (field: string, status: CheckStatus, message: string): TemplateFinding => ({ field, status, message });
export const pass = (field: string, message: string) => finding(field, 'pass', message);
export const warn = (field: string, message: string) => finding(field, 'warn', message);
export const fail = (field: string, message: string) => finding(field, 'fail', message);

/** The IAM action of a failed call (`ec2:DescribeKeyPairs`), when the gateway named it. */
export function actionOf(error: unknown): string | undefined {
  return error instanceof AwsCallError ? error.action : undefined;
}

/**
 * A lookup that failed: a warning when the credentials may not make it (the lookups beyond what a
 * launch needs are an optional IAM statement, README "IAM policy"), else a failure with AWS's reason.
 */
export function lookupFailed(field: string, error: unknown): TemplateFinding {
  const action = actionOf(error) ?? 'the lookup';
  if (isPermissionDenied(error)) return warn(field, `not checked: ${action} is not allowed for these credentials (add the optional validation statement of the IAM policy)`);
  return fail(field, `${action} failed: ${awsReason(error)}`);
}

/** Runs a lookup: its answer in `value`; or, when it failed, a finding (see lookupFailed) and undefined. */
export async function lookup<T>(field: string, findings: TemplateFinding[], call: () => Promise<T>): Promise<{ value: T } | undefined> {
  try {
    return { value: await call() };
  } catch (error) {
    findings.push(lookupFailed(field, error));
    return undefined;
  }
}
