import type { Message } from '@aws-sdk/client-sqs';
import { inject, injectable } from 'inversify';
import { Clock } from '../../../domain/ports/clock.js';
import type { HostNotice, InterruptionFeed } from '../../../domain/ports/interruption-feed.js';
import { Logger } from '../../../domain/ports/logger.js';
import { AwsSettings } from '../aws-settings.js';
import { send } from '../ec2/aws-call.js';
import { AwsClients, type SqsApi } from '../ec2/aws-clients.js';
import { readInterruptionEvent } from './interruption-events.js';

/** ReceiveMessage returns at most 10 messages a call; DeleteMessageBatch takes at most 10 entries. */
const MESSAGES_PER_CALL = 10;
/** Receive calls a drain makes at most (100 events), so one HostFactory call stays short; the rest wait for the next. */
const CALLS_PER_DRAIN = 10;

/**
 * The SQS queue EventBridge feeds with interruption events (AWS_INTERRUPTION_QUEUE_URL). Each
 * batch: ReceiveMessage (short poll, so an empty queue costs no wait), the notices recorded, then
 * DeleteMessageBatch. A message received but not deleted (a crash, a store failure) comes back
 * once the queue's visibility timeout has passed.
 */
@injectable()
export class SqsInterruptionFeed implements InterruptionFeed {
  constructor(
    @inject(AwsSettings) private readonly settings: AwsSettings,
    @inject(AwsClients) private readonly clients: AwsClients,
    @inject(Clock) private readonly clock: Clock,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  async drain(record: (notices: readonly HostNotice[]) => Promise<void>): Promise<number> {
    const queueUrl = this.settings.config.interruptionQueueUrl;
    if (!queueUrl) return 0;
    const sqs = await this.clients.sqs();
    let recorded = 0;
    for (let call = 0; call < CALLS_PER_DRAIN; call += 1) {
      const received = await send('sqs:ReceiveMessage', () =>
        sqs.client.send(new sqs.sdk.ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: MESSAGES_PER_CALL, WaitTimeSeconds: 0 })),
      );
      const messages = received.Messages ?? [];
      if (messages.length === 0) break;
      const notices = messages.flatMap((message) => this.noticesOf(message));
      await record(notices);
      recorded += notices.length;
      await this.remove(sqs, queueUrl, messages);
    }
    return recorded;
  }

  private noticesOf(message: Message): HostNotice[] {
    const read = readInterruptionEvent(message.Body ?? '', { rebalanceGraceSec: this.settings.config.rebalanceGraceSec, now: this.clock.now() });
    if ('ignored' in read) {
      this.logger.debug({ messageId: message.MessageId, why: read.ignored }, 'interruption queue message carries no notice');
      return [];
    }
    return read.notices;
  }

  /** Deletes the batch; a message not deleted is only received again later, and recording it again changes nothing. */
  private async remove(sqs: SqsApi, queueUrl: string, messages: readonly Message[]): Promise<void> {
    const entries = messages.flatMap((message, index) => (message.ReceiptHandle ? [{ Id: String(index), ReceiptHandle: message.ReceiptHandle }] : []));
    if (entries.length === 0) return;
    const answer = await send('sqs:DeleteMessageBatch', () => sqs.client.send(new sqs.sdk.DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries })));
    for (const failed of answer.Failed ?? []) {
      this.logger.warn({ messageId: messages[Number(failed.Id)]?.MessageId, code: failed.Code, message: failed.Message }, 'could not delete an interruption queue message; it comes back later');
    }
  }
}
