/// <reference types="jest" />
import { type DockerEngine, ensureDockerEngineSync } from './docker-engine';

/**
 * Defines the Docker tests of a file: with an engine (podman's service, started here), `body`
 * gets it; without one, the file fails visibly with the reason, or, with JIT_ALLOW_NO_DOCKER=1,
 * its tests are reported as skipped with the reason in their title.
 */
export function describeWithDockerEngine(title: string, body: (engine: DockerEngine) => void): void {
  const engine = ensureDockerEngineSync();
  if (!('unavailable' in engine)) {
    body(engine);
    return;
  }
  const reason = engine.unavailable;
  if (process.env.JIT_ALLOW_NO_DOCKER === '1') {
    console.warn(`${title}: skipped (JIT_ALLOW_NO_DOCKER=1): ${reason}`);
    describe.skip(`${title} (skipped: ${reason.split('\n')[0]})`, () => {
      it('needs a Docker engine', () => undefined);
    });
  } else {
    describe(title, () => {
      it('has a Docker engine (set JIT_ALLOW_NO_DOCKER=1 to skip these tests where it cannot be)', () => {
        throw new Error(`no Docker engine: ${reason}`);
      });
    });
  }
}
