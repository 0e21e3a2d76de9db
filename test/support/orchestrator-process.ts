/**
 * Starts the compiled orchestrator (`npm run build` first) as a real process against a given
 * Temporal server, on a free port, and stops it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { repoRoot } from './media';

export const orchestratorMain = path.join(repoRoot, 'dist', 'apps', 'orchestrator', 'src', 'main.js');

export interface RunningOrchestrator {
  url: string;
  process: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
}

export function startOrchestrator(env: NodeJS.ProcessEnv, args: string[] = [], timeoutMs = 60_000): Promise<RunningOrchestrator> {
  const child = spawn(process.execPath, [orchestratorMain, '--port', '0', '--host', '127.0.0.1', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the orchestrator did not start within ${timeoutMs} ms\n${output}`));
    }, timeoutMs);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the orchestrator exited before listening\n${output}`));
    });
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"port":(\d+),"host":"[^"]*".*"msg":"orchestrator listening"/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve({
        url: `http://127.0.0.1:${match[1]}`,
        process: child,
        stderr: () => output,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(kill);
        },
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
}

/** JSON over HTTP, status and body. */
export async function http(method: string, url: string, body?: unknown): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, headers: response.headers, body: parsed };
}
