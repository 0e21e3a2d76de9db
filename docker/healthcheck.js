#!/usr/bin/env node
/*
 * The images' HEALTHCHECK: finds the program the container runs (the orchestrator, an agent or a
 * JIT) in /proc, reads where it listens from its own arguments and environment, and asks its
 * GET /health. Exit 0 when it answers 200, 1 otherwise. `node healthcheck.js PID` checks that process.
 * Plain JavaScript: the images have no curl.
 */
'use strict';
const { readFileSync, readdirSync } = require('node:fs');

const MAIN = /dist\/apps\/(orchestrator|jit)\/src\/main\.js$/;

/** Listening defaults per mode, and the variables that change them (as libs/config reads them). */
const MODES = {
  orchestrator: { port: 8080, portEnv: 'JIT_ORCHESTRATOR_PORT', hostEnv: 'JIT_ORCHESTRATOR_HOST' },
  agent: { port: 8081, portEnv: 'JIT_INSTANCE_AGENT_PORT', hostEnv: 'JIT_INSTANCE_AGENT_HOST' },
  jit: { port: 8080 },
};

function read(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function findMain(onlyPid) {
  const pids = onlyPid ? [onlyPid] : readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  for (const pid of pids) {
    const argv = read(`/proc/${pid}/cmdline`).split('\0');
    const at = argv.findIndex((arg) => MAIN.test(arg));
    if (at < 0) continue;
    const env = Object.fromEntries(
      read(`/proc/${pid}/environ`)
        .split('\0')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    return { program: MAIN.exec(argv[at])[1], args: argv.slice(at + 1), env };
  }
  return null;
}

/** The value of `--name V` or `--name=V`; the last one wins, as in the programs' own parsing. */
function option(args, name) {
  let value;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) value = args[i + 1];
    else if (args[i].startsWith(`${name}=`)) value = args[i].slice(name.length + 1);
  }
  return value;
}

async function main() {
  const found = findMain(process.argv[2]);
  if (!found) throw new Error('no orchestrator, agent or JIT process found');
  const { program, args, env } = found;
  const mode =
    program === 'jit' || args[0] === 'jit' || (args[0] !== 'orchestrator' && args[0] !== 'agent' && env.MAIN_MODULE === 'jit')
      ? 'jit'
      : args[0] === 'agent' || (args[0] !== 'orchestrator' && env.MAIN_MODULE === 'agent')
        ? 'agent'
        : 'orchestrator';
  const defaults = MODES[mode];
  const port = option(args, '--port') || (defaults.portEnv && env[defaults.portEnv]) || defaults.port;
  let host = option(args, '--host') || (defaults.hostEnv && env[defaults.hostEnv]) || '127.0.0.1';
  if (host === '0.0.0.0' || host === '::') host = '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/health`;
  const response = await fetch(url, { signal: AbortSignal.timeout(2500) });
  if (response.status !== 200) throw new Error(`${mode}: ${url} answered ${response.status}`);
  process.stdout.write(`${mode}: ${url} ok\n`);
}

main().catch((error) => {
  process.stderr.write(`unhealthy: ${error.message}\n`);
  process.exit(1);
});
