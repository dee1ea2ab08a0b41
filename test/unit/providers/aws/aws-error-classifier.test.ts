import { describe, expect, it } from 'vitest';
import { classifyAwsError, translateAwsError, type AwsErrorKind } from '../../../../src/providers/aws/ec2/aws-errors.js';
import { awsError } from './aws-test-kit.js';

describe('AWS error classification', () => {
  it.each<[string, string, AwsErrorKind]>([
    ['RequestLimitExceeded', 'Request limit exceeded.', 'throttled'],
    ['ThrottlingException', 'Rate exceeded', 'throttled'],
    ['Throttling', 'Rate exceeded', 'throttled'],
    ['InsufficientInstanceCapacity', 'We currently do not have sufficient capacity', 'capacity'],
    ['SpotMaxPriceTooLow', 'Your Spot request price is lower than the minimum', 'capacity'],
    ['InstanceLimitExceeded', 'You have requested more instances than your current instance limit', 'quota'],
    ['VcpuLimitExceeded', 'You have requested more vCPU capacity', 'quota'],
    ['MaxSpotInstanceCountExceeded', 'Max spot instance count exceeded', 'quota'],
    ['LimitExceeded', 'You have reached your quota of Auto Scaling groups', 'quota'],
    ['UnauthorizedOperation', 'You are not authorized to perform this operation.', 'auth'],
    ['AccessDenied', 'User is not authorized to perform: autoscaling:CreateAutoScalingGroup', 'auth'],
    ['AuthFailure', 'AWS was not able to validate the provided access credentials', 'auth'],
    ['InvalidInstanceID.NotFound', "The instance ID 'i-1' does not exist", 'not-found'],
    ['InvalidFleetId.NotFound', 'The fleet ID does not exist', 'not-found'],
    ['InvalidSpotFleetRequestId.NotFound', 'The spot fleet request ID does not exist', 'not-found'],
    ['ValidationError', 'AutoScalingGroup name not found - AutoScalingGroup hostfactory-req-1 not found', 'not-found'],
    ['AlreadyExists', 'AutoScalingGroup by this name already exists', 'already-exists'],
    ['InvalidLaunchTemplateName.AlreadyExistsException', 'Launch template name already in use.', 'already-exists'],
    ['InvalidAMIID.NotFound', 'The image id does not exist', 'invalid'],
    ['InvalidParameterValue', 'Value (x) for parameter instanceType is invalid', 'invalid'],
    ['ParameterNotFound', 'SSM parameter not found', 'invalid'],
    ['InternalError', 'An internal error has occurred', 'transient'],
    ['SomethingNew', 'what', 'unknown'],
  ])('%s is %s→%s', (name, message, kind) => {
    expect(classifyAwsError(awsError(name, message))).toBe(kind);
  });

  it('treats an AWS 5xx it does not know as transient', () => {
    expect(classifyAwsError(Object.assign(new Error('boom'), { name: 'Weird', $metadata: { httpStatusCode: 503 } }))).toBe('transient');
  });

  it('turns each kind into the HostFactoryError code HostFactory acts on', () => {
    expect(translateAwsError(awsError('RequestLimitExceeded'), 'ec2:DescribeInstances')).toMatchObject({ code: 'THROTTLED', retryable: true });
    expect(translateAwsError(awsError('InsufficientInstanceCapacity', 'no room'), 'ec2:RunInstances')).toMatchObject({
      code: 'INSUFFICIENT_CAPACITY',
      message: 'ec2:RunInstances: not enough EC2 capacity (InsufficientInstanceCapacity: no room)',
    });
    expect(translateAwsError(awsError('VcpuLimitExceeded'), 'ec2:CreateFleet')).toMatchObject({ code: 'INSUFFICIENT_CAPACITY', message: expect.stringContaining('quota') });
    expect(translateAwsError(awsError('InvalidParameterValue'), 'ec2:CreateFleet')).toMatchObject({ code: 'INVALID_INPUT', retryable: false });
    expect(translateAwsError(awsError('InternalError'), 'ec2:CreateFleet')).toMatchObject({ code: 'CLOUD_ERROR', retryable: true });
  });

  it('names the missing permission for an auth error', () => {
    const error = translateAwsError(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'), 'ec2:CreateFleet');
    expect(error.code).toBe('ACCESS_DENIED');
    expect(error.message).toContain('allow "ec2:CreateFleet"');
    expect(error.cause).toBeInstanceOf(Error);
  });
});
