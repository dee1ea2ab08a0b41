import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeEc2Server, type FakeEc2ServerOptions } from '../../support/fake-ec2-server.js';
import { HostFactoryInstance } from '../../support/hostfactory-harness.js';

/** Real milliseconds the fake takes for pending→running and shutting-down→terminated. */
export const TRANSITION_MS = 500;
export const IMAGE_ID = 'ami-0f3caa1cf4417e51b';

const FLEET_ROLE = 'arn:aws:iam::123456789012:role/aws-ec2-spot-fleet-tagging-role';
export const SUBNETS = ['subnet-0a1b2c3d4e5f60718', 'subnet-0f9e8d7c6b5a49382'];

export const base = (templateId: string, fields: Record<string, unknown>) => ({
  templateId,
  maxNumber: 40,
  attributes: { type: ['String', 'X86_64'], ncpus: ['Numeric', '2'], nram: ['Numeric', '8192'] },
  imageId: IMAGE_ID,
  subnetId: SUBNETS,
  securityGroupIds: ['sg-0123456789abcdef0'],
  instanceTags: 'team=hpc;purpose=e2e',
  ...fields,
});

/** One template per API / price type / fleet type combination, as an administrator writes them. */
export const TEMPLATES = [
  base('RunInstances-OnDemand', { priceType: 'ondemand', vmType: 't3.small', rootDeviceVolumeSize: 40, volumeType: 'gp3' }),
  base('EC2Fleet-Instant-Spot', { priceType: 'spot', providerApi: 'EC2Fleet', fleetType: 'instant', vmTypes: { 'c5.2xlarge': 2, 'c5.xlarge': 1 } }),
  base('EC2Fleet-Request-Spot', { priceType: 'spot', providerApi: 'EC2Fleet', fleetType: 'request', vmType: 'm5.large' }),
  base('EC2Fleet-Maintain-OnDemand', { priceType: 'ondemand', providerApi: 'EC2Fleet', fleetType: 'maintain', vmType: 'm5.large' }),
  base('SpotFleet-Request-Weighted', { priceType: 'spot', fleetRole: FLEET_ROLE, vmTypes: { 'm5.2xlarge': 2, 'm5.xlarge': 1 } }),
  base('SpotFleet-Maintain', { priceType: 'spot', providerApi: 'SpotFleet', fleetType: 'maintain', fleetRole: FLEET_ROLE, vmType: 'm5.large' }),
  base('ASG-Spot-Weighted', { priceType: 'spot', providerApi: 'ASG', vmTypes: { 'm5.2xlarge': 2, 'm5.xlarge': 1 } }),
  base('Heterogeneous', {
    priceType: 'heterogeneous',
    fleetRole: FLEET_ROLE,
    percentOnDemand: 50,
    vmTypes: { 'r5.large': 1, 'r5a.large': 1 },
    vmTypesOnDemand: { 'r5.large': 1 },
  }),
];

/** Units one instance of `instanceType` counts for under the template `templateId`. */
export function weightOf(templateId: string, instanceType: string): number {
  const template = TEMPLATES.find((entry) => entry.templateId === templateId) as { vmTypes?: Record<string, number>; vmTypesOnDemand?: Record<string, number> } | undefined;
  return template?.vmTypes?.[instanceType] ?? template?.vmTypesOnDemand?.[instanceType] ?? 1;
}

export interface AwsE2eOptions {
  /** Options of the fake endpoint (subnets, spot notice length, …). */
  server?: FakeEc2ServerOptions;
  /** Templates besides TEMPLATES. */
  templates?: Array<Record<string, unknown>>;
  /** Environment of every script call. */
  env?: NodeJS.ProcessEnv;
  /** The fake's clock (default Date.now): a test that moves it on needs not wait for the fake's timers. */
  now?: () => number;
  /** Create the fake's interruption queue and name it in AWS_INTERRUPTION_QUEUE_URL. */
  interruptionQueue?: boolean;
}

export interface AwsE2eCloud {
  server: FakeEc2Server;
  /** The fake endpoint's URL. */
  endpoint: string;
  hf: HostFactoryInstance;
  close(): Promise<void>;
}

/**
 * A HostFactory provider instance named `aws` whose config dir holds `awsprov_config.json`
 * (pointing every SDK client at a fake EC2/Auto Scaling endpoint on loopback, with credentials
 * from a temp file) and `awsprov_templates.json` with TEMPLATES.
 */
export async function startAwsE2eCloud(config: Record<string, unknown> = {}, options: AwsE2eOptions = {}): Promise<AwsE2eCloud> {
  const server = new FakeEc2Server(options.now ?? Date.now, { [IMAGE_ID]: '/dev/xvda' }, { transitionMs: TRANSITION_MS, ...options.server });
  const endpoint = await server.start();
  const hf = new HostFactoryInstance({ providerName: 'aws', extraEnv: { AWS_EC2_METADATA_DISABLED: 'true', ...options.env } });
  const credentials = join(hf.root, 'aws-credentials');
  writeFileSync(credentials, '[default]\naws_access_key_id = AKIDFAKEE2E\naws_secret_access_key = fake-secret\n');
  const awsConfig = {
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: endpoint,
    AWS_CREDENTIAL_FILE: credentials,
    AWS_INSTANCE_PENDING_TIMEOUT_SEC: 180,
    ...(options.interruptionQueue ? { AWS_INTERRUPTION_QUEUE_URL: server.createInterruptionQueue().url } : {}),
    ...config,
  };
  writeFileSync(join(hf.confDir, 'awsprov_config.json'), JSON.stringify(awsConfig, null, 2));
  writeFileSync(join(hf.confDir, 'awsprov_templates.json'), JSON.stringify({ templates: [...TEMPLATES, ...(options.templates ?? [])] }, null, 2));
  return {
    server,
    endpoint,
    hf,
    close: async () => {
      await server.stop();
      rmSync(hf.root, { recursive: true, force: true });
    },
  };
}
