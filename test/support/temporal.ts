/**
 * A Temporal server for tests: the one named by TEMPORAL_ADDRESS when that is set (left as it is),
 * else a development server of our own (`scripts/temporal-dev.sh`, the one way this project starts
 * one) on free ports, headless, with its SQLite file in a fresh temporary folder, so tests never
 * touch a developer's data. `restart()` stops and starts that same server on the same ports and
 * SQLite file, for durability tests.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { repoRoot } from './media';
export const temporalScript = path.join(repoRoot, 'scripts', 'temporal-dev.sh');

export interface TemporalServer {
  /** host:port of the frontend (gRPC), for Connection.connect / NativeConnection.connect. */
  address: string;
  namespace: string;
  /** Whether this process started the server (false: TEMPORAL_ADDRESS). */
  owned: boolean;
  /** Owned servers: the SQLite file, the script's state folder (server.log is there). */
  dbFile?: string;
  stateDir?: string;
  /** Web UI, when started with { ui: true }. */
  uiUrl?: string;
  /** Stops an owned server and removes its folder; does nothing for TEMPORAL_ADDRESS. */
  stop(): Promise<void>;
  /** Stops and starts an owned server: same ports, same SQLite file. Throws for TEMPORAL_ADDRESS. */
  restart(): Promise<void>;
}

export interface EnsureTemporalOptions {
  /** Namespace to create and use (default "default", or TEMPORAL_NAMESPACE with TEMPORAL_ADDRESS). */
  namespace?: string;
  /** Serve the Web UI too (default false: one port fewer). */
  ui?: boolean;
  /** Seconds to wait for the server to be ready (default 90: a first run installs the CLI). */
  timeoutS?: number;
}

interface ScriptResult {
  stdout: string;
  stderr: string;
}

function runScript(args: string[], timeoutMs: number): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    execFile('bash', [temporalScript, ...args], { timeout: timeoutMs, maxBuffer: 4 << 20 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`bash scripts/temporal-dev.sh ${args.join(' ')} failed (${error.message.split('\n')[0]}):\n${stderr}${stdout}`));
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

/** A TCP port free on 127.0.0.1 right now (the kernel's pick). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function lineValue(stdout: string, key: string): string | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith(`${key}=`));
  return line?.slice(key.length + 1);
}

// Servers still running when the process exits (a test that never reached afterAll) are killed.
const running = new Map<string, number>();
let exitHookInstalled = false;
function track(stateDir: string): void {
  try {
    running.set(stateDir, Number(readFileSync(path.join(stateDir, 'server.pid'), 'utf8').trim()));
  } catch {
    return;
  }
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [dir, pid] of running) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

export async function ensureTemporal(options: EnsureTemporalOptions = {}): Promise<TemporalServer> {
  const external = process.env.TEMPORAL_ADDRESS;
  if (external) {
    return {
      address: external,
      namespace: options.namespace ?? process.env.TEMPORAL_NAMESPACE ?? 'default',
      owned: false,
      stop: async () => {},
      restart: async () => {
        throw new Error(`TEMPORAL_ADDRESS=${external}: the tests did not start this server and cannot restart it`);
      },
    };
  }

  const namespace = options.namespace ?? 'default';
  const timeoutS = options.timeoutS ?? 90;
  const stateDir = mkdtempSync(path.join(tmpdir(), 'jit-temporal-'));
  const dbFile = path.join(stateDir, 'dev.sqlite');
  const scriptTimeoutMs = (timeoutS + 30) * 1000;

  let started: ScriptResult | undefined;
  let lastError: unknown;
  // Two tries: a port picked free can be taken by someone else before the server binds it.
  for (let attempt = 0; attempt < 2 && !started; attempt++) {
    const port = await freePort();
    const args = ['start', '--dir', stateDir, '--db', dbFile, '--port', String(port), '--timeout', String(timeoutS)];
    if (options.ui) args.push('--ui-port', String(await freePort()));
    else args.push('--headless');
    if (namespace !== 'default') args.push('--namespace', namespace);
    try {
      started = await runScript(args, scriptTimeoutMs);
    } catch (error) {
      lastError = error;
      await runScript(['stop', '--dir', stateDir], 30_000).catch(() => undefined);
    }
  }
  if (!started) {
    rmSync(stateDir, { recursive: true, force: true });
    throw lastError;
  }
  track(stateDir);

  const address = lineValue(started.stdout, 'TEMPORAL_ADDRESS');
  if (!address) throw new Error(`scripts/temporal-dev.sh printed no TEMPORAL_ADDRESS:\n${started.stdout}`);
  const ui = lineValue(started.stdout, 'TEMPORAL_UI');
  let stopped = false;
  return {
    address,
    namespace,
    owned: true,
    dbFile,
    stateDir,
    uiUrl: ui?.startsWith('http') ? ui : undefined,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await runScript(['stop', '--dir', stateDir], 30_000);
      running.delete(stateDir);
      rmSync(stateDir, { recursive: true, force: true });
    },
    restart: async () => {
      if (stopped) throw new Error('restart() after stop()');
      await runScript(['restart', '--dir', stateDir, '--timeout', String(timeoutS)], scriptTimeoutMs);
      track(stateDir);
    },
  };
}

/** Stops and starts `server` on the same ports with the same SQLite file. */
export function restartTemporal(server: TemporalServer): Promise<void> {
  return server.restart();
}
