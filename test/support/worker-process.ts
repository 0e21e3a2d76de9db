/**
 * Starts the compiled session worker on its own (`apps/worker`, `npm run build` first) as a real
 * process and resolves once it logs that its Temporal worker runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { repoRoot } from './media';
import { stopChild } from './service-process';

export const workerMain = path.join(repoRoot, 'dist', 'apps', 'worker', 'src', 'main.js');

export interface RunningWorker {
  process: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** SIGTERM (SIGKILL after `graceMs`); resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

export function startWorker(env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<RunningWorker> {
  const child = spawn(process.execPath, [workerMain], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const worker: RunningWorker = {
    process: child,
    output: () => output,
    exited,
    stop: (graceMs = 15_000) => stopChild(child, exited, graceMs),
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the worker did not start within ${timeoutMs} ms\n${output}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the worker exited with ${code} before running\n${output}`));
    });
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"msg":"Temporal worker running"')) {
        clearTimeout(timer);
        resolve(worker);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
}
