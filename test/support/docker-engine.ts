/**
 * A Docker Engine API for tests: the one named by DOCKER_HOST (unix://…) when that is set (left as
 * it is), else podman's, started by `scripts/podman-docker.sh` (the one way this project starts
 * it) on a socket of its own in a temporary folder and stopped by `stop()`. When no engine can be
 * had, the result says why instead of throwing, so a test can report the reason.
 *
 * Images are made locally (`ensureLocalImage`, the script's `image` command: `podman import` of an
 * empty root file system); nothing is pulled. Containers from such an image run the host's
 * programs through read-only bind mounts (`hostBinds()`).
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { repoRoot } from './media';
export const podmanScript = path.join(repoRoot, 'scripts', 'podman-docker.sh');

export interface DockerEngine {
  /** unix:///…/podman.sock */
  dockerHost: string;
  /** For `new Docker({ socketPath })`. */
  socketPath: string;
  /** Whether this process started the service (false: DOCKER_HOST). */
  owned: boolean;
  /** Stops an owned service (containers it started keep running: remove them first). */
  stop(): Promise<void>;
}

export type DockerEngineResult = DockerEngine | { unavailable: string };

// A first run on a new machine installs podman with apt-get.
const startTimeoutMs = 300_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function script(args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile('bash', [podmanScript, ...args], { timeout: timeoutMs, maxBuffer: 4 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr: stderr || (error?.message ?? '') });
    });
  });
}

function scriptSync(args: string[], timeoutMs: number): Run {
  const r = spawnSync('bash', [podmanScript, ...args], { timeout: timeoutMs, encoding: 'utf8', maxBuffer: 4 << 20 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

function failure(what: string, run: Run): string {
  const text = (run.stderr.trim() || run.stdout.trim()).split('\n').slice(-15).join('\n');
  return `${what} (exit ${run.code ?? 'timeout'}): ${text}`;
}

function socketOf(dockerHost: string): string | undefined {
  return dockerHost.startsWith('unix://') ? dockerHost.slice('unix://'.length) : undefined;
}

// Services still running when the process exits (a test that never reached afterAll) are killed.
const running = new Map<string, number>();
let exitHookInstalled = false;
function track(socketPath: string): void {
  try {
    running.set(socketPath, Number(readFileSync(socketPath.replace(/\.sock$/, '.pid'), 'utf8').trim()));
  } catch {
    return;
  }
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [socket, pid] of running) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
      rmSync(path.dirname(socket), { recursive: true, force: true });
    }
  });
}

function external(dockerHost: string, ping: (socket: string) => Run): DockerEngineResult {
  const socketPath = socketOf(dockerHost);
  if (!socketPath) return { unavailable: `DOCKER_HOST=${dockerHost}: the tests only use unix:// sockets` };
  const status = ping(socketPath);
  if (status.code !== 0) return { unavailable: `DOCKER_HOST=${dockerHost} does not answer GET /_ping` };
  return { dockerHost, socketPath, owned: false, stop: async () => {} };
}

function owned(dir: string, started: Run): DockerEngineResult {
  const line = started.stdout.split('\n').find((l) => l.startsWith('DOCKER_HOST='));
  const dockerHost = line?.slice('DOCKER_HOST='.length);
  const socketPath = dockerHost && socketOf(dockerHost);
  if (!dockerHost || !socketPath) {
    rmSync(dir, { recursive: true, force: true });
    return { unavailable: `scripts/podman-docker.sh start printed no DOCKER_HOST: ${started.stdout}` };
  }
  track(socketPath);
  let stopped = false;
  return {
    dockerHost,
    socketPath,
    owned: true,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await script(['stop', '--socket', socketPath], 30_000);
      running.delete(socketPath);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** DOCKER_HOST's engine, or podman's service started on a socket of our own. */
export async function ensureDockerEngine(): Promise<DockerEngineResult> {
  if (process.env.DOCKER_HOST) {
    const dockerHost = process.env.DOCKER_HOST;
    const socketPath = socketOf(dockerHost);
    const status = socketPath ? await script(['status', '--socket', socketPath], 10_000) : undefined;
    return external(dockerHost, () => status ?? { code: 1, stdout: '', stderr: '' });
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'jit-podman-'));
  const started = await script(['start', '--socket', path.join(dir, 'podman.sock')], startTimeoutMs);
  if (started.code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { unavailable: failure('scripts/podman-docker.sh start failed', started) };
  }
  return owned(dir, started);
}

/**
 * The same, blocking: for choosing `describe` or `describe.skip` when a test file is loaded, so a
 * skip shows as a skip (with its reason in the title) rather than as a test that passed.
 */
export function ensureDockerEngineSync(): DockerEngineResult {
  if (process.env.DOCKER_HOST) {
    return external(process.env.DOCKER_HOST, (socket) => scriptSync(['status', '--socket', socket], 10_000));
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'jit-podman-'));
  const started = scriptSync(['start', '--socket', path.join(dir, 'podman.sock')], startTimeoutMs);
  if (started.code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { unavailable: failure('scripts/podman-docker.sh start failed', started) };
  }
  return owned(dir, started);
}

/**
 * Makes the local image `name` (an empty root file system, `podman import`) unless it exists.
 * It goes to podman's store, which podman's service reads: with DOCKER_HOST naming another
 * engine (a real dockerd), load it there yourself.
 */
export async function ensureLocalImage(name: string): Promise<void> {
  const run = await script(['image', name], startTimeoutMs);
  if (run.code !== 0) throw new Error(failure(`scripts/podman-docker.sh image ${name} failed`, run));
}

function isRealDir(p: string): boolean {
  try {
    const st = lstatSync(p);
    return st.isDirectory() && !st.isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Read-only binds that let a container from a `ensureLocalImage` image run this host's `node`
 * (process.execPath) and the repository's code: /usr, the top-level /bin, /lib… that are real
 * folders here (links into /usr on a merged-/usr system are in the image already), what the
 * dynamic loader and TLS read in /etc, node's own prefix when it is outside /usr, the repository
 * (with node_modules), and `extra` ("host:container[:ro]").
 */
export function hostBinds(extra: string[] = []): string[] {
  const binds = new Set<string>(['/usr:/usr:ro']);
  for (const d of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    if (isRealDir(d)) binds.add(`${d}:${d}:ro`);
  }
  for (const p of ['/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/ssl', '/etc/ca-certificates', '/etc/alternatives']) {
    if (existsSync(p)) binds.add(`${p}:${p}:ro`);
  }
  const nodePrefix = path.dirname(path.dirname(process.execPath));
  if (!process.execPath.startsWith('/usr/')) binds.add(`${nodePrefix}:${nodePrefix}:ro`);
  binds.add(`${repoRoot}:${repoRoot}:ro`);
  for (const b of extra) binds.add(b);
  return [...binds];
}
