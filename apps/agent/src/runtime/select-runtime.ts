import type { AgentConfig } from '@jit/config';
import type { Logger } from '@jit/logging';
import { dockerAnswers } from '@jit/docker';
import { dockerClient, DockerRuntime } from './docker-runtime';
import { ProcessRuntime } from './process-runtime';
import type { StreamRuntime } from './stream-runtime';

/**
 * The runtime of JIT_AGENT_RUNTIME, prepared (clean-up, image): `docker` and `process` as named
 * (a Docker runtime that cannot be prepared ends the agent); `auto` is docker when the engine of
 * DOCKER_HOST (or the default socket) answers a ping within 2 s and the runtime can be prepared
 * (the image is there or can be pulled), else child processes (logged with the reason).
 */
export async function prepareRuntime(config: AgentConfig, env: NodeJS.ProcessEnv, log: Logger): Promise<StreamRuntime> {
  const processes = async () => {
    const runtime = new ProcessRuntime(config, env, log);
    await runtime.prepare();
    return runtime;
  };
  if (config.runtime === 'process') return processes();
  const docker = dockerClient(config.dockerHost);
  const engine = config.dockerHost ?? 'unix:///var/run/docker.sock';
  if (config.runtime === 'docker') {
    const runtime = new DockerRuntime(config, docker, log);
    await runtime.prepare();
    return runtime;
  }
  if (!(await dockerAnswers(docker))) {
    log.info({ dockerHost: engine }, 'runtime auto: no Docker engine answers; JITs run as child processes');
    return processes();
  }
  try {
    const runtime = new DockerRuntime(config, docker, log);
    await runtime.prepare();
    log.info({ dockerHost: engine }, 'runtime auto: a Docker engine answers; JITs run as containers');
    return runtime;
  } catch (error) {
    log.warn(
      { dockerHost: engine, err: error },
      'runtime auto: the Docker engine answers but the JIT image cannot be had; JITs run as child processes',
    );
    return processes();
  }
}
