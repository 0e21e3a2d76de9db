import { ConfigError } from '@jit/config';

/** The EC2 instance metadata service (IMDSv2). */
export const IMDS_ENDPOINT = 'http://169.254.169.254';

/**
 * The region the JIT instances go to: AWS_REGION when given, else the region this orchestrator
 * runs in, from the instance metadata service; a ConfigError saying so when neither is there.
 */
export async function instanceRegion(configured: string | undefined, imdsEndpoint = IMDS_ENDPOINT): Promise<string> {
  if (configured) return configured;
  try {
    const signal = () => AbortSignal.timeout(2000);
    const token = await fetch(`${imdsEndpoint}/latest/api/token`, {
      method: 'PUT',
      headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
      signal: signal(),
    });
    if (!token.ok) throw new Error(`token: HTTP ${token.status}`);
    const answer = await fetch(`${imdsEndpoint}/latest/meta-data/placement/region`, {
      headers: { 'x-aws-ec2-metadata-token': await token.text() },
      signal: signal(),
    });
    if (!answer.ok) throw new Error(`placement/region: HTTP ${answer.status}`);
    return (await answer.text()).trim();
  } catch (error) {
    throw new ConfigError(
      `AWS_REGION: not set, and the instance metadata service (${imdsEndpoint}) did not tell this machine's region (${(error as Error).message}); set AWS_REGION`,
    );
  }
}
