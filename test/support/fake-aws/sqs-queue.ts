import { createHash, randomUUID } from 'node:crypto';
import { QueryError } from './query-protocol.js';

interface QueuedMessage {
  messageId: string;
  body: string;
  /** The handle of the latest receive; only it deletes the message. */
  receiptHandle?: string;
  /** The fake's clock: hidden from receives until then (in flight). */
  invisibleUntil: number;
  receiveCount: number;
}

/** The SQS JSON protocol's target prefix: `X-Amz-Target: AmazonSQS.ReceiveMessage`. */
export const SQS_TARGET_PREFIX = 'AmazonSQS.';

/**
 * One standard SQS queue, as its API reference and developer guide describe it:
 * - ReceiveMessage (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html):
 *   at most MaxNumberOfMessages (1–10); each message received gets a new ReceiptHandle and stays
 *   invisible for the visibility timeout (the call's VisibilityTimeout, else the queue's, 30 s by
 *   default), then can be received again unless deleted ("Amazon SQS visibility timeout",
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html).
 *   MD5OfBody is the MD5 of the body, which the SDK checks.
 * - DeleteMessageBatch (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessageBatch.html):
 *   at most 10 entries, each answered in Successful or Failed; "you must provide the most recently
 *   received receipt handle… otherwise, the request succeeds, but the message will not be deleted"
 *   (API_DeleteMessage.html).
 * Not modelled: FIFO queues, long polling waits (WaitTimeSeconds answers at once), message
 * attributes, dead-letter queues, retention.
 */
export class FakeSqsQueue {
  private readonly messages: QueuedMessage[] = [];

  constructor(
    readonly url: string,
    private readonly now: () => number,
    private readonly visibilityTimeoutSec = 30,
  ) {}

  send(body: string): string {
    const messageId = randomUUID();
    this.messages.push({ messageId, body, invisibleUntil: 0, receiveCount: 0 });
    return messageId;
  }

  /** Messages still in the queue, in flight or not. */
  get depth(): number {
    return this.messages.length;
  }

  /** Bodies still in the queue (for assertions). */
  bodies(): string[] {
    return this.messages.map((message) => message.body);
  }

  answer(action: string, input: Record<string, unknown>): Record<string, unknown> {
    if (action === 'ReceiveMessage') return this.receive(input);
    if (action === 'DeleteMessageBatch') return this.deleteBatch(input);
    throw new QueryError('InvalidAction', `The action ${action} is not valid for this fake queue.`);
  }

  private receive(input: Record<string, unknown>): Record<string, unknown> {
    const max = Number(input.MaxNumberOfMessages ?? 1);
    if (!Number.isInteger(max) || max < 1 || max > 10) throw new QueryError('InvalidParameterValue', 'Value for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10.');
    const visibilitySec = Number(input.VisibilityTimeout ?? this.visibilityTimeoutSec);
    const now = this.now();
    const visible = this.messages.filter((message) => message.invisibleUntil <= now).slice(0, max);
    const received = visible.map((message) => {
      message.receiptHandle = randomUUID();
      message.invisibleUntil = now + visibilitySec * 1000;
      message.receiveCount += 1;
      return { MessageId: message.messageId, ReceiptHandle: message.receiptHandle, Body: message.body, MD5OfBody: createHash('md5').update(message.body).digest('hex') };
    });
    return received.length > 0 ? { Messages: received } : {};
  }

  private deleteBatch(input: Record<string, unknown>): Record<string, unknown> {
    const entries = (input.Entries ?? []) as Array<{ Id: string; ReceiptHandle: string }>;
    if (entries.length === 0) throw new QueryError('AWS.SimpleQueueService.EmptyBatchRequest', 'There should be at least one DeleteMessageBatchRequestEntry in the request.');
    if (entries.length > 10) throw new QueryError('AWS.SimpleQueueService.TooManyEntriesInBatchRequest', 'Maximum number of entries per request are 10.');
    const successful: Array<{ Id: string }> = [];
    const failed: Array<{ Id: string; Code: string; Message: string; SenderFault: boolean }> = [];
    for (const entry of entries) {
      if (!entry.ReceiptHandle) {
        failed.push({ Id: entry.Id, Code: 'ReceiptHandleIsInvalid', Message: 'The input receipt handle is invalid.', SenderFault: true });
        continue;
      }
      const index = this.messages.findIndex((message) => message.receiptHandle === entry.ReceiptHandle);
      if (index >= 0) this.messages.splice(index, 1);
      successful.push({ Id: entry.Id });
    }
    return { Successful: successful, Failed: failed };
  }
}
