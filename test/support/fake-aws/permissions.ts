import { randomBytes } from 'node:crypto';
import { QueryError } from './query-protocol.js';

/**
 * What the credentials may do, and DryRun.
 *
 * A denied action (`deny('ec2:RunInstances')`) answers, DryRun or not, as AWS does when an IAM
 * policy does not allow it: EC2 `UnauthorizedOperation`, HTTP 403, "You are not authorized to
 * perform this operation. Encoded authorization failure message: …" (EC2 API Reference,
 * "Troubleshooting API request errors", "Unauthorized operation",
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/query-api-troubleshooting.html; the message
 * as AWS's knowledge center article "ec2-not-auth-launch" quotes it); awsQuery services (IAM, Auto
 * Scaling) `AccessDenied`, HTTP 403.
 *
 * An allowed EC2 call with `DryRun=true` is not carried out: it answers `DryRunOperation` ("The user
 * has the required permissions, so the request would have succeeded, but the DryRun parameter was
 * used", EC2 API Reference, "Error codes for the Amazon EC2 API",
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html), HTTP 412, with the
 * message "Request would have succeeded, but DryRun flag is set." (AWS's, as quoted in
 * awslabs/aws-cloudsaga#8). Every EC2 action takes DryRun; the fake checks nothing else for one.
 */
export class FakePermissions {
  private readonly denied = new Set<string>();

  /** From now on the credentials may not call `action` (IAM spelling, `ec2:CreateFleet`). */
  deny(action: string): void {
    this.denied.add(action);
  }

  allow(action: string): void {
    this.denied.delete(action);
  }

  /** Throws the answer to a call that is denied or a dry run; returns for a call to carry out. */
  authorize(service: 'ec2' | 'autoscaling' | 'iam', action: string, params: URLSearchParams): void {
    const iamAction = `${service}:${action}`;
    if (this.denied.has(iamAction)) {
      if (service === 'ec2') {
        throw new QueryError('UnauthorizedOperation', `You are not authorized to perform this operation. Encoded authorization failure message: ${randomBytes(24).toString('base64url')}`, 403);
      }
      throw new QueryError('AccessDenied', `User: arn:aws:iam::123456789012:user/hostfactory is not authorized to perform: ${iamAction}`, 403);
    }
    if (service === 'ec2' && params.get('DryRun') === 'true') throw new QueryError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
  }
}
