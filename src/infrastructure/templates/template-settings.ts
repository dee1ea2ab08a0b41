import type { ServiceIdentifier } from 'inversify';

/** Where the provider instance's template files live and how they are named (CONTRACT.md). */
export interface TemplateSettings {
  /** The provider instance's config dir (HF_PROVIDER_CONFDIR). */
  confDir: string;
  /** The provider instance name (HF_PROVIDER_NAME), e.g. `awsinst`. */
  providerName: string;
  /** The provider type: `aws` or `sim`. */
  providerType: string;
}

export const TemplateSettings: ServiceIdentifier<TemplateSettings> = Symbol.for('TemplateSettings');
