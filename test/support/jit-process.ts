/**
 * Starts the compiled JIT (`npm run build` first) as a real process on a free port, the way
 * the agent does, and stops it. Stderr is kept for assertions on logs and error messages.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { IDLE_PROCESS_NODE_FLAGS } from '@jit/config';
import { repoRoot } from './media';
import { type ServiceProcess, startService } from './service-process';

export const jitMain = path.join(repoRoot, 'dist', 'apps', 'jit', 'src', 'main.js');

export type RunningJit = ServiceProcess;

export interface JitRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the JIT to completion (for flag errors and --help). */
export function runJit(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 20000): Promise<JitRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...IDLE_PROCESS_NODE_FLAGS, jitMain, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`jit ${args.join(' ')} did not exit within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a JIT serving `args` on a free port and resolves once it listens. */
export function startJit(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 20000): Promise<RunningJit> {
  return startService('JIT', jitMain, ['--port', '0', '--host', '127.0.0.1', ...args], env, timeoutMs);
}
