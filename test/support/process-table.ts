/**
 * What is left running, read from the kernel's tables (Linux /proc): processes that carry an
 * environment marker (agents and JITs inherit their parent's environment, so a marker set on an
 * orchestrator or worker finds every process it led to, orphans included), and ports bound in a
 * range (TCP listening, UDP bound), whoever bound them.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessRow {
  pid: number;
  ppid: number;
  /** The command line, arguments joined by spaces. */
  command: string;
  /** The environment, as NAME=value entries. */
  env: string[];
}

function row(pid: number): ProcessRow | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) in parentheses: state, ppid, …
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z') return undefined; // ended, waiting to be reaped: not running
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return { pid, ppid: Number(ppid), command, env };
  } catch {
    return undefined; // gone meanwhile, or not ours to read
  }
}

/** Running processes whose environment holds `name=value`. */
export function processesWithEnv(name: string, value: string): ProcessRow[] {
  const wanted = `${name}=${value}`;
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .map((entry) => row(Number(entry)))
    .filter((r): r is ProcessRow => r !== undefined && r.env.includes(wanted));
}

/** The process's kind for reports: agent, JIT, or the command's start. */
export function describeProcess(r: ProcessRow): string {
  // JITs inherit their agent's environment (MAIN_MODULE=agent too): told apart by their program.
  const kind = r.command.includes('/jit/src/main.js') ? 'JIT' : r.env.includes('MAIN_MODULE=agent') ? 'agent' : r.command.slice(0, 80);
  const agentPort = r.env.find((e) => e.startsWith('JIT_INSTANCE_AGENT_PORT='))?.split('=')[1];
  return `${kind} pid ${r.pid} (ppid ${r.ppid}${agentPort ? `, agent port ${agentPort}` : ''})`;
}

/** Direct children of `pid` that are running. */
export function childrenOf(pid: number): ProcessRow[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((entry) => row(Number(entry)))
    .filter((r): r is ProcessRow => r !== undefined && r.ppid === pid);
}

/** Ports in min..max with a listening TCP socket or a bound UDP socket (IPv4 and IPv6). */
export function boundPorts(min: number, max: number): number[] {
  const found = new Set<number>();
  for (const [file, listenOnly] of [
    ['/proc/net/tcp', true],
    ['/proc/net/tcp6', true],
    ['/proc/net/udp', false],
    ['/proc/net/udp6', false],
  ] as const) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 4) continue;
      const port = parseInt(fields[1].split(':')[1], 16);
      // TCP state 0A is LISTEN; other states (TIME_WAIT after a closed connection) hold no process.
      if (listenOnly && fields[3] !== '0A') continue;
      if (port >= min && port <= max) found.add(port);
    }
  }
  return [...found].sort((a, b) => a - b);
}
