import type { ServiceIdentifier } from 'inversify';
import type { AwsConfig } from './aws-config.js';

/** What the AWS provider needs from the composition root. */
export interface AwsSettings {
  config: AwsConfig;
  /** Provider instance name (HF_PROVIDER_NAME), written in every resource's tags. */
  providerName: string;
  /** The provider instance's work dir (HF_PROVIDER_WORKDIR): caches of AWS facts live there. */
  workDir: string;
}

export const AwsSettings: ServiceIdentifier<AwsSettings> = Symbol.for('AwsSettings');
