/** Where the agent's settings are written on the instance (root only). */
export const AGENT_ENV_FILE = '/etc/jit-agent.env';
/** The heredoc marker around the agent's settings in the user data. */
export const AGENT_ENV_MARKER = 'JIT_AGENT_ENV';

export interface AgentBoot {
  sessionId: string;
  /** The agent image (JIT_INSTANCE_AGENT_IMAGE): this program, run in agent mode. */
  image: string;
  /** The agent's environment: MAIN_MODULE=agent, the shared secret, its port and settings. */
  env: Record<string, string>;
  /** Login for pulling the image, when the registry needs one. */
  registry?: { username: string; password: string };
}

/** A word in single quotes for sh. */
const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/** The registry host of an image reference (`host[:port]/path:tag`), or undefined for Docker Hub. */
function registryOf(image: string): string | undefined {
  const first = image.split('/')[0];
  return image.includes('/') && /[.:]|^localhost$/.test(first) ? first : undefined;
}

/**
 * The user data that starts the agent on boot: a shell script (cloud-init runs it once, as root)
 * that writes the agent's settings to AGENT_ENV_FILE, adds the instance's public address as
 * JIT_PUBLIC_IP (from the instance metadata service, IMDSv2) so browsers outside the VPC reach its
 * JITs, and runs the agent image on the host network with the Docker socket, as the
 * single-instance provider runs agent containers. The AMI needs Docker and curl.
 */
export function agentUserData(boot: AgentBoot): string {
  for (const [key, value] of Object.entries(boot.env)) {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(key) || /[\r\n]/.test(value)) throw new Error(`agent setting ${key} cannot go into user data`);
  }
  const registry = registryOf(boot.image);
  return [
    '#!/bin/bash',
    `# JIT agent for ${boot.sessionId}: its settings, then the agent image in agent mode.`,
    'set -eu',
    'umask 077',
    `cat > ${AGENT_ENV_FILE} <<'${AGENT_ENV_MARKER}'`,
    ...Object.entries(boot.env).map(([key, value]) => `${key}=${value}`),
    AGENT_ENV_MARKER,
    "imds_token=$(curl -sf --max-time 2 -X PUT -H 'x-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token || true)",
    'public_ip=$(curl -sf --max-time 2 -H "x-aws-ec2-metadata-token: $imds_token" http://169.254.169.254/latest/meta-data/public-ipv4 || true)',
    `if [ -n "$public_ip" ]; then echo "JIT_PUBLIC_IP=$public_ip" >> ${AGENT_ENV_FILE}; fi`,
    ...(boot.registry
      ? [
          `printf %s ${quote(boot.registry.password)} | docker login --username ${quote(boot.registry.username)} --password-stdin${registry ? ` ${quote(registry)}` : ''}`,
        ]
      : []),
    'docker rm -f jit-agent >/dev/null 2>&1 || true',
    `docker run -d --name jit-agent --init --restart on-failure --network host -v /var/run/docker.sock:/var/run/docker.sock --env-file ${AGENT_ENV_FILE} ${quote(boot.image)}`,
    '',
  ].join('\n');
}
