/** What the composition root needs to wire the AWS provider (imported lazily, so the sim never loads the AWS SDK). */
export { AwsCloudProvider } from './aws-cloud-provider.js';
export { AwsClients } from './ec2/aws-clients.js';
export { AwsSettings } from './aws-settings.js';
export { SqsInterruptionFeed } from './interruption/sqs-interruption-feed.js';
export { parseAwsConfig, type AwsConfig } from './aws-config.js';
