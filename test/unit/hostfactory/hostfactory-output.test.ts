import { describe, expect, it } from 'vitest';
import { HostFactoryError } from '../../../src/domain/errors.js';
import { boundedMessage, errorResponse, MESSAGE_LIMIT_BYTES, withBoundedMessages } from '../../../src/infrastructure/hostfactory/hostfactory-output.js';

const bytesOf = (text: string) => Buffer.byteLength(text, 'utf8');

describe('messages HostFactory sees are bounded', () => {
  it('leaves a message that fits as it is', () => {
    const fits = 'x'.repeat(MESSAGE_LIMIT_BYTES);
    expect(boundedMessage(fits)).toBe(fits);
  });

  it('cuts a longer message to at most 2 KB, keeping its start and saying it was cut', () => {
    const long = `unknown machine(s): ${'ip-10-0-0-1.ec2.internal, '.repeat(4000)}`;
    const bounded = boundedMessage(long);
    expect(MESSAGE_LIMIT_BYTES).toBe(2048);
    expect(bytesOf(bounded)).toBeLessThanOrEqual(2048);
    expect(bounded.startsWith('unknown machine(s): ip-10-0-0-1.ec2.internal')).toBe(true);
    expect(bounded).toContain('cut at 2 KB');
  });

  it('never cuts a multi-byte character in half', () => {
    for (const char of ['é', '€', '😀']) {
      for (let pad = 0; pad < 4; pad++) {
        const bounded = boundedMessage('a'.repeat(pad) + char.repeat(2000));
        expect(bytesOf(bounded)).toBeLessThanOrEqual(2048);
        expect(bounded).not.toContain('\uFFFD');
        expect(Buffer.from(bounded, 'utf8').toString('utf8')).toBe(bounded);
      }
    }
  });

  it('bounds the messages of a response at every depth and leaves the rest alone', () => {
    const long = 'y'.repeat(100_000);
    const response = withBoundedMessages({
      message: long,
      requests: [{ requestId: 'ret-1', message: long, machines: [{ machineId: 'i-1', message: long, name: long }] }],
    });
    expect(bytesOf(response.message)).toBeLessThanOrEqual(2048);
    expect(bytesOf(response.requests[0].message)).toBeLessThanOrEqual(2048);
    expect(bytesOf(response.requests[0].machines[0].message)).toBeLessThanOrEqual(2048);
    expect(response.requests[0].machines[0].name).toBe(long);
    expect(response.requests[0].requestId).toBe('ret-1');
  });

  it('bounds an error message too', () => {
    const response = errorResponse(new HostFactoryError('INVALID_INPUT', 'z'.repeat(10_000)));
    expect(bytesOf(response.message)).toBeLessThanOrEqual(2048);
    expect(response.code).toBe('INVALID_INPUT');
  });
});
