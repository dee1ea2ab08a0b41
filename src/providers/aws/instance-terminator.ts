import { TerminateInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { awsErrorCode, translateAwsError } from './aws-error-classifier.js';
import { chunk, DESCRIBE_CHUNK, missingIdsOf } from './instance-reader.js';

/**
 * TerminateInstances in chunks of 1000. Instances EC2 no longer knows count as terminated.
 */
export async function terminateInstances(ec2: EC2Client, ids: Iterable<string>): Promise<void> {
  for (const part of chunk([...new Set(ids)], DESCRIBE_CHUNK)) {
    let pending = part;
    while (pending.length > 0) {
      try {
        await ec2.send(new TerminateInstancesCommand({ InstanceIds: pending }));
        pending = [];
      } catch (error) {
        const missing = new Set(missingIdsOf(error));
        if (missing.size === 0) {
          if (awsErrorCode(error) === 'InvalidInstanceID.NotFound' && pending.length === 1) return;
          throw translateAwsError(error, 'ec2:TerminateInstances');
        }
        pending = pending.filter((id) => !missing.has(id));
      }
    }
  }
}
