/**
 * Starts the compiled JIT (`npm run build` first) as a real process on a free port, the way
 * the agent does, and stops it. Stderr is kept for assertions on logs and error messages.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { repoRoot } from './media';

export const jitMain = path.join(repoRoot, 'dist', 'apps', 'jit', 'src', 'main.js');

export interface RunningJit {
  url: string;
  port: number;
  process: ChildProcess;
  stderr: () => string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

export interface JitRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the JIT to completion (for flag errors and --help). */
export function runJit(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 20000): Promise<JitRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [jitMain, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
  const child = spawn(process.execPath, [jitMain, '--port', '0', '--host', '127.0.0.1', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the JIT did not start within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the JIT exited with ${code} before listening\n${stderr}`));
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /"port":(\d+),"host":"[^"]*".*"msg":"JIT listening"/.exec(stderr);
      if (!match) return;
      clearTimeout(timer);
      const port = Number(match[1]);
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        process: child,
        stderr: () => stderr,
        exited,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          const timeout = setTimeout(() => child.kill('SIGKILL'), 5000);
          const code = await exited;
          clearTimeout(timeout);
          return code;
        },
      });
    });
  });
}
