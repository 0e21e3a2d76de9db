/**
 * moto, the AWS emulator, for tests: `scripts/moto.sh` installs it when missing and starts its
 * server on 127.0.0.1:<port> (ports 15000–15049 are the AWS tests'); the SDK reaches it through
 * AWS_ENDPOINT_URL with dummy credentials, as any program given `awsEnv` does.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { repoRoot } from './media';

export const motoScript = path.join(repoRoot, 'scripts', 'moto.sh');

export interface Moto {
  endpoint: string;
  /** The environment that points the AWS SDK (ours and the programs under test) at this server. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

function run(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [motoScript, ...args], { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`bash scripts/moto.sh ${args.join(' ')} failed: ${error.message}\n${stderr}${stdout}`));
      else resolve(stdout);
    });
  });
}

/** Starts moto on `port` (a first run installs it: a few minutes) and sets the SDK's environment in this process too. */
export async function startMoto(port: number, region = 'us-east-1'): Promise<Moto> {
  const dir = path.join(repoRoot, '.cache', `moto-${port}`);
  await run(['stop', '--dir', dir], 30_000);
  const out = await run(['start', '--port', String(port), '--dir', dir], 600_000);
  const endpoint = /AWS_ENDPOINT_URL=(\S+)/.exec(out)?.[1];
  if (!endpoint) throw new Error(`scripts/moto.sh printed no AWS_ENDPOINT_URL:\n${out}`);
  const env = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: region,
    // No instance metadata lookups (credentials, region) from a test machine.
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  Object.assign(process.env, env);
  return { endpoint, env, stop: async () => void (await run(['stop', '--dir', dir], 30_000)) };
}

/**
 * One call of an AWS query API the tests have no SDK client for (IAM), unsigned: moto routes by
 * the service named in the credential scope and does not check signatures.
 */
export async function motoQuery(moto: Moto, service: string, params: Record<string, string>): Promise<string> {
  const response = await fetch(moto.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams(params).toString(),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${service} ${params.Action}: HTTP ${response.status}: ${text}`);
  return text;
}
