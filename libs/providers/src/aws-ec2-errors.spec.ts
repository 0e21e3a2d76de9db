import { ec2Failure, stateReasonFailure } from './aws-ec2-errors';
import { ProvisionError } from './instance-provider';

const answer = (Code: string, $fault: 'client' | 'server', message = 'what EC2 said') =>
  Object.assign(new Error(message), { name: Code, Code, $fault });

describe('EC2 errors', () => {
  it('fail the session for good when EC2 will answer the same again, keeping its code and message', () => {
    for (const code of [
      'InvalidAMIID.NotFound',
      'InvalidGroup.NotFound',
      'InvalidKeyPair.NotFound',
      'UnauthorizedOperation',
      'VcpuLimitExceeded',
    ]) {
      const failure = ec2Failure('RunInstances', answer(code, 'client'));
      expect(failure).toBeInstanceOf(ProvisionError);
      expect(failure.message).toBe(`EC2 RunInstances: ${code}: what EC2 said`);
    }
    expect(
      ec2Failure('RunInstances', Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' })),
    ).toBeInstanceOf(ProvisionError);
  });

  it('are retried (plain errors) for throttling, capacity, EC2 faults and no answer at all', () => {
    for (const error of [
      answer('RequestLimitExceeded', 'client'),
      answer('InsufficientInstanceCapacity', 'server'),
      answer('InternalError', 'server'),
      new Error('socket hang up'),
    ]) {
      const failure = ec2Failure('RunInstances', error);
      expect(failure).not.toBeInstanceOf(ProvisionError);
      expect(failure.message).toMatch(/^EC2 RunInstances: /);
    }
  });

  it('tell a capacity shortage at boot from a failure for good', () => {
    expect(
      stateReasonFailure('i-1', 'terminated', { Code: 'Server.InsufficientInstanceCapacity', Message: 'none left' }),
    ).not.toBeInstanceOf(ProvisionError);
    const failed = stateReasonFailure('i-1', 'terminated', { Code: 'Client.InvalidSnapshot.NotFound', Message: 'no snapshot' });
    expect(failed).toBeInstanceOf(ProvisionError);
    expect(failed.message).toBe('EC2 instance i-1 is terminated before it ran: Client.InvalidSnapshot.NotFound: no snapshot');
  });
});
