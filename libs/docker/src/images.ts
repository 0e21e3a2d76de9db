import type Docker from 'dockerode';
import type { Logger } from '@jit/logging';

/** The image reference as an engine accepts it: repeated slashes collapsed (the spec's default has `//`). */
export function imageReference(image: string): string {
  return image.replace(/\/{2,}/g, '/');
}

/** The registry of an image reference, for the login: its first part when that is a host name. */
export function registryOf(image: string): string {
  const first = image.split('/')[0];
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
    ? first
    : 'https://index.docker.io/v1/';
}

export interface RegistryLogin {
  registryUsername?: string;
  registryPassword?: string;
}

/** Pulls `image`, logging in when both DOCKER_REGISTRY_USERNAME and DOCKER_REGISTRY_PASSWORD are set. */
export async function pullImage(docker: Docker, image: string, login: RegistryLogin, log: Logger): Promise<void> {
  const { registryUsername: username, registryPassword: password } = login;
  const authconfig = username && password ? { username, password, serveraddress: registryOf(image) } : undefined;
  const started = Date.now();
  log.info({ image, login: Boolean(authconfig) }, 'pulling image');
  const stream = await docker.pull(image, authconfig ? { authconfig } : {});
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, events: { error?: string }[]) => {
      const failed = events?.find((e) => e.error);
      if (error || failed) reject(error ?? new Error(failed!.error));
      else resolve();
    });
  });
  log.info({ image, ms: Date.now() - started }, 'image pulled');
}
