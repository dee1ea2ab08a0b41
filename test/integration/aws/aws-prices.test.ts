import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HostFactoryError } from '../../../src/domain/errors.js';
import { parseAwsConfig } from '../../../src/providers/aws/aws-config.js';
import { AwsClients } from '../../../src/providers/aws/ec2/aws-clients.js';
import { AwsPriceSource } from '../../../src/providers/aws/prices/aws-price-source.js';
import { pricingRegion } from '../../../src/providers/aws/prices/pricing-gateway.js';
import { SteppingClock } from '../../support/aws-fake-endpoint.js';
import { FakeEc2Server } from '../../support/fake-ec2-server.js';

/** AwsPriceSource over loopback against the fake endpoint: the Price List Query API and DescribeSpotPriceHistory. */
describe('AWS prices from the Price List API and the spot price history', () => {
  let server: FakeEc2Server;
  let dir: string;
  let clock: SteppingClock;
  let source: (config?: Record<string, unknown>) => AwsPriceSource;

  beforeEach(async () => {
    clock = new SteppingClock();
    server = new FakeEc2Server(() => clock.now(), {}, {
      subnets: { 'subnet-a': { zone: 'us-east-1a' }, 'subnet-b': { zone: 'us-east-1b' } },
      regions: { 'eu-west-1': { subnets: { 'subnet-w': { zone: 'eu-west-1a' } } } },
    });
    const endpoint = await server.start();
    dir = mkdtempSync(join(tmpdir(), 'aws-prices-'));
    const credentials = join(dir, 'credentials');
    writeFileSync(credentials, '[default]\naws_access_key_id = AKIDFAKE\naws_secret_access_key = fake-secret\n');
    source = (config = {}) => {
      const settings = {
        config: parseAwsConfig({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: endpoint, AWS_CREDENTIAL_FILE: credentials, AWS_REQUEST_RETRY_ATTEMPTS: 0, ...config }, join(dir, 'awsprov_config.json')),
        providerName: 'awsinst',
        workDir: dir,
      };
      return new AwsPriceSource(settings, new AwsClients(settings), clock);
    };
  });
  afterEach(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes the plain Linux on-demand price of each type in the region and the latest spot price per zone', async () => {
    server.pricing.setOnDemandPrice('m5.large', 'us-east-1', 0.096);
    server.pricing.setOnDemandPrice('m5.large', 'eu-west-1', 0.107);
    server.catalog.setSpotPrice('m5.large', 'us-east-1a', 0.0331);

    const sheet = await source().fetch(['m5.large', 'c5.xlarge']);

    expect(sheet).toMatchObject({ fetchedAt: clock.now(), region: 'us-east-1' });
    expect(Object.keys(sheet.regions)).toEqual(['us-east-1']);
    expect(sheet.regions['us-east-1'].onDemand).toEqual({ 'm5.large': 0.096, 'c5.xlarge': 0.2 });
    expect(sheet.regions['us-east-1'].spot['m5.large']).toEqual({ 'us-east-1a': 0.0331, 'us-east-1b': 0.0385 });
    const [first] = server.pricing.requests;
    expect(first).toMatchObject({ ServiceCode: 'AmazonEC2', FormatVersion: 'aws_v1' });
    expect(first.Filters).toEqual(
      expect.arrayContaining(
        Object.entries({ instanceType: 'm5.large', regionCode: 'us-east-1', operatingSystem: 'Linux', tenancy: 'Shared', preInstalledSw: 'NA', capacitystatus: 'Used' }).map(([Field, Value]) => ({ Type: 'TERM_MATCH', Field, Value })),
      ),
    );
    expect(server.callsOf('DescribeSpotPriceHistory')[0].params.get('ProductDescription.1')).toBe('Linux/UNIX');
  });

  it('prices each other region asked for there: its regionCode, its own spot price history', async () => {
    server.pricing.setOnDemandPrice('m5.large', 'eu-west-1', 0.107);
    server.region('eu-west-1').catalog.setSpotPrice('m5.large', 'eu-west-1a', 0.036);

    const sheet = await source().fetch(['t3.small'], { 'eu-west-1': ['m5.large'] });

    expect(sheet.regions['us-east-1'].onDemand).toEqual({ 't3.small': 0.025 });
    expect(sheet.regions['eu-west-1']).toEqual({ onDemand: { 'm5.large': 0.107 }, spot: { 'm5.large': { 'eu-west-1a': 0.036 } } });
    const regionCodes = server.pricing.requests.map((input) => (input.Filters as Array<{ Field: string; Value: string }>).find((filter) => filter.Field === 'regionCode')?.Value);
    expect(regionCodes).toEqual(['us-east-1', 'eu-west-1']);
    expect(server.callsOf('DescribeSpotPriceHistory').map((call) => call.region)).toEqual(['us-east-1', 'eu-west-1']);
  });

  it('leaves out types the price list does not have', async () => {
    const sheet = await source().fetch(['t3.small', 'bogus']);
    expect(sheet.regions['us-east-1'].onDemand).toEqual({ 't3.small': 0.025 });
    expect(server.pricing.requests.map((input) => (input.Filters as Array<{ Field: string; Value: string }>).find((filter) => filter.Field === 'instanceType')?.Value)).toEqual(['t3.small', 'bogus']);
  });

  it('sends Price List calls to AWS_ENDPOINT_URL_PRICING when set, apart from EC2', async () => {
    const pricingUrl = await server.startExtraListener();
    await source({ AWS_ENDPOINT_URL_PRICING: pricingUrl }).fetch(['m5.large']);
    expect(server.calls.filter((call) => call.service === 'pricing').map((call) => call.listener)).toEqual([1]);
    expect(server.callsOf('DescribeSpotPriceHistory').map((call) => call.listener)).toEqual([0]);
  });

  it('asks the nearer of the two Price List endpoints AWS documents', () => {
    expect(pricingRegion('eu-west-1')).toBe('us-east-1');
    expect(pricingRegion('ap-southeast-2')).toBe('ap-south-1');
  });

  it('translates a denied Price List call into ACCESS_DENIED naming the action', async () => {
    server.failNext('GetProducts', { code: 'AccessDeniedException', message: 'User is not authorized to perform: pricing:GetProducts', status: 400 });
    const failure = await source().fetch(['m5.large']).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HostFactoryError);
    expect(failure).toMatchObject({ code: 'ACCESS_DENIED' });
    expect((failure as Error).message).toContain('pricing:GetProducts');
  });
});
