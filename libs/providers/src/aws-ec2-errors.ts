import { ProvisionError } from './instance-provider';

/**
 * EC2 error codes worth another try (throttling, capacity that may come back, EC2's own
 * faults); every other error EC2 answers (bad AMI, security group, key pair, quota, rights)
 * will be answered again and fails the session at once.
 */
const RETRYABLE = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'InsufficientInstanceCapacity',
  'InsufficientHostCapacity',
  'InsufficientCapacity',
  'InsufficientAddressCapacity',
  'Server.InsufficientInstanceCapacity',
  'Server.InternalError',
  'ServiceUnavailable',
  'Unavailable',
  'InternalError',
  'InternalFailure',
]);

interface SdkError {
  name?: string;
  Code?: string;
  message?: string;
  $fault?: 'client' | 'server';
}

/** Whether an EC2 answer says the instance does not exist (any more). */
export const isNotFound = (error: unknown) =>
  /^InvalidInstanceID\.(NotFound|Malformed)$/.test((error as SdkError).Code ?? (error as SdkError).name ?? '');

/**
 * What a failed EC2 call becomes: a ProvisionError (not retried: the workflow fails the session
 * with this message) or a plain Error that Temporal's retry policy retries. The message names the
 * call and carries EC2's code and message.
 */
export function ec2Failure(action: string, error: unknown): Error {
  const e = error as SdkError;
  const code = e.Code ?? e.name ?? 'Error';
  const message = `EC2 ${action}: ${code}: ${e.message ?? String(error)}`;
  if (code === 'CredentialsProviderError') return new ProvisionError(`${message} (no AWS credentials: see the standard credential chain)`);
  // No $fault: no answer from EC2 at all (network), worth another try.
  if (!e.$fault || e.$fault === 'server' || RETRYABLE.has(code)) return new Error(message);
  return new ProvisionError(message);
}

/** An instance that ended before it ran: a retryable capacity problem, or a failure for good. */
export function stateReasonFailure(instanceId: string, state: string, reason: { Code?: string; Message?: string } | undefined): Error {
  const message = `EC2 instance ${instanceId} is ${state} before it ran: ${reason?.Code ?? 'no reason given'}${reason?.Message ? `: ${reason.Message}` : ''}`;
  return reason?.Code && RETRYABLE.has(reason.Code) ? new Error(message) : new ProvisionError(message);
}
