import { describe, expect, it } from 'vitest';
import { HostFactoryOperations } from '../../../src/infrastructure/hostfactory/hostfactory-operations.js';
import { useCaseContainer } from '../../support/test-container.js';

describe('HostFactoryOperations', () => {
  it('bounds the message of a return, and of every poll of it, when the hosts it names are long', async () => {
    const { container } = await useCaseContainer();
    const operations = container.get(HostFactoryOperations);
    const machines = Array.from({ length: 25 }, (_, i) => ({ name: `${'ghost'.repeat(40)}-${i}.ec2.internal` }));

    const returned = await operations.run('requestReturnMachines', { machines });
    const polled = await operations.run('getRequestStatus', { requests: { requestId: returned.requestId } });

    const messages = [returned.message, (polled.requests as Array<{ message: string }>)[0].message] as string[];
    for (const message of messages) {
      expect(message.startsWith('No Active VM. unknown machine(s): ghostghost')).toBe(true);
      expect(Buffer.byteLength(message, 'utf8')).toBeLessThanOrEqual(2048);
    }
  });
});
