/**
 * Starts one of this project's compiled programs (`npm run build` first) as a real process and
 * resolves once it logs that it listens, with the port it logged: the JIT, the agent and the
 * orchestrator all log `{"port":N,"host":…,"msg":"<what> listening"}`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { IDLE_PROCESS_NODE_FLAGS } from '@jit/config';

export interface ServiceProcess {
  url: string;
  port: number;
  process: ChildProcess;
  /** Everything the process wrote on stdout and stderr so far. */
  output: () => string;
  /** ms from spawn to the listening log line. */
  startMs: number;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  /** SIGTERM (SIGKILL after `graceMs`); resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

export function startService(
  what: string,
  main: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 30_000,
): Promise<ServiceProcess> {
  const started = Date.now();
  const child = spawn(process.execPath, [...IDLE_PROCESS_NODE_FLAGS, main, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new RegExp(`"port":(\\d+),"host":"[^"]*".*"msg":"${what} listening"`);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the ${what} did not start within ${timeoutMs} ms\n${output}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the ${what} exited with ${code} before listening\n${output}`));
    });
    let ready = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready ? null : listening.exec(output);
      if (!match) return;
      ready = true;
      clearTimeout(timer);
      const port = Number(match[1]);
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        process: child,
        output: () => output,
        startMs: Date.now() - started,
        exited,
        stop: (graceMs = 15_000) => stopChild(child, exited, graceMs),
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
}

/** SIGTERM to a child still running, SIGKILL after `graceMs`; resolves with its exit code once it has ended. */
export async function stopChild(child: ChildProcess, exited: Promise<number | null>, graceMs: number): Promise<number | null> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const code = await exited;
  clearTimeout(kill);
  return code;
}

/** JSON over HTTP: the status, the headers and the body (parsed when it is JSON). */
export async function http(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: the text is the body
  }
  return { status: response.status, headers: response.headers, body: parsed };
}
