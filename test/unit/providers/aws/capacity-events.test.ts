import { describe, expect, it } from 'vitest';
import { offeringOf, offeringsAfter, zoneOfDetails } from '../../../../src/providers/aws/capacity-events.js';

const at = (text: string, zone?: string) => ({ time: 1, text, ...(zone ? { zone } : {}) });

describe('pools out of capacity in fleet history and scaling activities', () => {
  it('reads the pool of a fleet information event in the documented "<type>, <ami>, <platform>, <zone>, <reason>" form', () => {
    const text = 'launchSpecTemporarilyBlacklisted: m5.large, ami-1, Linux/UNIX, us-east-1a, InsufficientInstanceCapacity: We currently do not have sufficient m5.large capacity in the Availability Zone you requested (us-east-1a).';
    expect(offeringOf(at(text), ['spot'])).toEqual({ instanceType: 'm5.large', zone: 'us-east-1a', market: 'spot' });
    expect(offeringOf(at(text), ['ondemand'])).toEqual({ instanceType: 'm5.large', zone: 'us-east-1a', market: 'ondemand' });
    expect(offeringOf(at(text), ['ondemand', 'spot']), 'a mixed fleet whose event names no market').toBeUndefined();
  });

  it('takes the market a text names over the fleet\'s', () => {
    const text =
      'launchSpecTemporarilyBlacklisted: Repeated errors have occurred processing the launch specification "c5.18xlarge, ami-0d09143c6fc181fe3, Linux/UNIX, us-east-1f while launching spot instance". It will not be retried for at least 13 minutes. Error message: There is no Spot capacity available that matches your request.';
    expect(offeringOf(at(text), ['ondemand', 'spot'])).toEqual({ instanceType: 'c5.18xlarge', zone: 'us-east-1f', market: 'spot' });
  });

  it('leaves out what is not a pool\'s capacity: quotas, prices, configuration, a text without a type', () => {
    expect(offeringOf(at('launchSpecTemporarilyBlacklisted: Repeated errors … "c5.18xlarge, ami-1, Linux/UNIX, us-east-1a while launching spot instance". Error message: Spot Max Instance Count Exceeded'), ['spot'])).toBeUndefined();
    expect(offeringOf(at('launchSpecUnusable: c4.xlarge, ami-1, Linux/UNIX, us-east-1a, Spot price in either SpotFleetRequestConfigData or LaunchTemplateOverrides is less than Spot market price $0.0619'), ['spot'])).toBeUndefined();
    expect(offeringOf(at('spotFleetRequestConfigurationInvalid: m5.large, ami-1, Linux/UNIX: InvalidAMIID.NotFound'), ['spot'])).toBeUndefined();
    const noType = 'Could not launch Spot Instances. UnfulfillableCapacity - There is no capacity available that matches your request. Launching EC2 instance failed.';
    expect(offeringOf(at(noType, 'us-west-2a'), ['spot'])).toBeUndefined();
  });

  it('reads a failed scaling activity: EC2\'s sentence names type and zone, the market is the one it failed to launch', () => {
    const text =
      'Could not launch On-Demand Instances. InsufficientInstanceCapacity - We currently do not have sufficient m5.xlarge capacity in the Availability Zone you requested (us-west-2b). Our system will be working on provisioning additional capacity. Launching EC2 instance failed.';
    expect(offeringOf(at(text), ['ondemand', 'spot'])).toEqual({ instanceType: 'm5.xlarge', zone: 'us-west-2b', market: 'ondemand' });
    expect(zoneOfDetails('{"Subnet ID":"subnet-5ea0c127","Availability Zone":"us-west-2b"}')).toBe('us-west-2b');
    expect(zoneOfDetails('not json')).toBeUndefined();
  });

  it('counts only events after the last read, each pool once', () => {
    const ice = (time: number, zone: string) => ({ time, text: `m5.large, ami-1, Linux/UNIX, ${zone}, InsufficientInstanceCapacity: no room` });
    expect(offeringsAfter([ice(100, 'us-east-1a'), ice(200, 'us-east-1b'), ice(300, 'us-east-1b')], 100, ['spot'])).toEqual([{ instanceType: 'm5.large', zone: 'us-east-1b', market: 'spot' }]);
  });
});
