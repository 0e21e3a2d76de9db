/**
 * docker/: the images' Dockerfile and the compose file, checked with what runs here (no Docker
 * engine can pull base images on this machine): they parse; every path they copy and every build
 * argument they use exists; the final stages run as a non-root user; their entry points are the
 * compiled programs, which start (`--help`, agent mode serving /health); their HEALTHCHECK script
 * answers for a real orchestrator, agent and JIT, and fails when the program is gone; every
 * variable the compose file sets is one the programs read.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { IDLE_PROCESS_NODE_FLAGS, parseOrchestratorConfig } from '@jit/config';
import { makeIndexedClip, repoRoot } from '../support/media';
import { orchestratorMain, startOrchestrator } from '../support/orchestrator-process';
import { jitMain, startJit } from '../support/jit-process';
import { startService } from '../support/service-process';
import { ensureTemporal, type TemporalServer } from '../support/temporal';

jest.setTimeout(120_000);

const dockerDir = path.join(repoRoot, 'docker');

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

/** A Dockerfile as instructions (continuation lines joined, comments dropped), split into stages; global ARGs apart. */
function parseDockerfile(text: string): { globalArgs: string[]; stages: Stage[] } {
  const instructions: Instruction[] = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (pending && line.startsWith('#')) return;
    if (!pending) startLine = i + 1;
    pending += `${line.replace(/\\$/, '')} `;
    if (line.endsWith('\\')) return;
    const match = /^([A-Za-z]+)\s+(.*)$/.exec(pending.trim());
    if (!match) throw new Error(`Dockerfile line ${startLine}: not an instruction: ${pending}`);
    instructions.push({ keyword: match[1].toUpperCase(), args: match[2].trim(), line: startLine });
    pending = '';
  });
  if (pending) throw new Error('Dockerfile ends inside a continued line');
  const globalArgs: string[] = [];
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!from) throw new Error(`Dockerfile line ${instruction.line}: FROM ${instruction.args}`);
      stages.push({ base: from[1], name: from[2] ?? String(stages.length), instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error(`Dockerfile line ${instruction.line}: ${instruction.keyword} before FROM`);
      globalArgs.push(instruction.args.split('=')[0]);
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

const KNOWN_INSTRUCTIONS = new Set([
  'FROM',
  'ARG',
  'ENV',
  'WORKDIR',
  'COPY',
  'RUN',
  'USER',
  'EXPOSE',
  'HEALTHCHECK',
  'ENTRYPOINT',
  'CMD',
  'LABEL',
]);

/** A stage with everything it inherits from the stages it is built FROM, oldest first. */
function lineage(stages: Stage[], name: string): Stage[] {
  const stage = stages.find((s) => s.name === name);
  if (!stage) throw new Error(`no stage ${name}`);
  const parent = stages.find((s) => s.name === stage.base);
  return parent ? [...lineage(stages, parent.name), stage] : [stage];
}

const last = (stages: Stage[], keyword: string) =>
  stages
    .flatMap((s) => s.instructions)
    .filter((i) => i.keyword === keyword)
    .pop();

/** `["a", "b"]` (exec form) as an array. */
const execForm = (args: string): string[] => {
  const value = JSON.parse(args.replace(/^CMD\s+/, '')) as unknown;
  if (!Array.isArray(value)) throw new Error(`not exec form: ${args}`);
  return value as string[];
};

/** Options (`--from=build`) and operands of a COPY. */
function copyParts(args: string): { from?: string; sources: string[]; dest: string } {
  const words = args.split(/\s+/);
  const options = words.filter((w) => w.startsWith('--'));
  const operands = words.filter((w) => !w.startsWith('--'));
  const from = options.find((o) => o.startsWith('--from='))?.slice('--from='.length);
  return { from, sources: operands.slice(0, -1), dest: operands[operands.length - 1] };
}

/** Every variable name libs/config reads: the names the programs know. */
const knownSettings = new Set(
  readdirSync(path.join(repoRoot, 'libs', 'config', 'src'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
    .flatMap((f) =>
      [...readFileSync(path.join(repoRoot, 'libs', 'config', 'src', f), 'utf8').matchAll(/env: '([A-Z0-9_]+)'/g)].map((m) => m[1]),
    ),
);

/** Compose's `${NAME:-default}` with the environment left empty, as a fresh checkout has it. */
const interpolate = (value: string) =>
  value.replace(/\$\{[A-Z0-9_]+(?::?-([^}]*))?\}/g, (_, fallback: string | undefined) => fallback ?? '');

/** Runs the images' health check against the process `pid`. */
const healthcheck = (pid: number) =>
  spawnSync(process.execPath, [path.join(dockerDir, 'healthcheck.js'), String(pid)], { encoding: 'utf8', timeout: 10_000 });

const dockerfile = parseDockerfile(readFileSync(path.join(dockerDir, 'Dockerfile'), 'utf8'));
const compose = parseYaml(readFileSync(path.join(dockerDir, 'compose.yaml'), 'utf8')) as {
  services: Record<
    string,
    {
      image?: string;
      build?: { context: string; dockerfile: string; target: string };
      environment?: Record<string, string>;
      volumes?: string[];
      network_mode?: string;
      profiles?: string[];
    }
  >;
};

describe('docker/Dockerfile', () => {
  const { globalArgs, stages } = dockerfile;
  const images = { orchestrator: lineage(stages, 'orchestrator'), jit: lineage(stages, 'jit') };

  it('parses into known instructions, its build arguments declared before use', () => {
    expect(stages.map((s) => s.name)).toEqual(expect.arrayContaining(['build', 'deps', 'runtime', 'jit', 'orchestrator']));
    for (const stage of stages) {
      for (const i of stage.instructions) expect(KNOWN_INSTRUCTIONS).toContain(i.keyword);
      for (const used of [stage.base, ...stage.instructions.map((i) => i.args)].flatMap((t) =>
        [...t.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]),
      )) {
        const declared = [
          ...globalArgs,
          ...stage.instructions.filter((i) => i.keyword === 'ARG' || i.keyword === 'ENV').map((i) => i.args.split(/[=\s]/)[0]),
        ];
        expect(declared).toContain(used);
      }
    }
    expect(globalArgs).toContain('NODE_IMAGE');
  });

  it('copies only paths that exist: sources from the repository, and from earlier stages what the build makes', () => {
    const workdirs = new Map(stages.map((s) => [s.name, last([s], 'WORKDIR')?.args]));
    for (const [index, stage] of stages.entries()) {
      for (const copy of stage.instructions.filter((i) => i.keyword === 'COPY').map((i) => copyParts(i.args))) {
        for (const source of copy.sources) {
          if (!copy.from) {
            expect([source, existsSync(path.join(repoRoot, source))]).toEqual([source, true]);
            continue;
          }
          // Stage paths: /src/<path> in the build stages is <repo>/<path> here once `npm run build` ran.
          const earlier = stages.slice(0, index).map((s) => s.name);
          expect(earlier).toContain(copy.from);
          const within = path.posix.relative(workdirs.get(copy.from)!, source);
          expect([source, within.startsWith('..')]).toEqual([source, false]);
          expect([source, existsSync(path.join(repoRoot, within))]).toEqual([source, true]);
        }
      }
    }
  });

  it('builds with npm ci and npm run build, and ships production dependencies only', () => {
    const runs = (name: string) =>
      stages
        .find((s) => s.name === name)!
        .instructions.filter((i) => i.keyword === 'RUN')
        .map((i) => i.args);
    expect(runs('build')).toEqual(expect.arrayContaining([expect.stringMatching(/^npm ci\b/), 'npm run build']));
    expect(runs('deps')).toEqual([expect.stringMatching(/^npm ci --omit=dev\b/)]);
    // node-av's FFmpeg libraries are a production dependency of this platform's package.
    const lock = JSON.parse(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const ffmpegLibraries = Object.entries(lock.packages).filter(([name]) => /node_modules\/@seydx\/node-av-linux-x64$/.test(name));
    expect(ffmpegLibraries).toHaveLength(1);
    expect(ffmpegLibraries[0][1].dev).toBeFalsy();
  });

  it.each(['orchestrator', 'jit'] as const)(
    '%s: runs as a non-root user, with a health check and the compiled program as entry point, with the Node flags of jit’s processes',
    (image) => {
      const chain = images[image];
      expect(last(chain, 'USER')?.args).toBe('node');
      const workdir = last(chain, 'WORKDIR')!.args;
      const entrypoint = execForm(last(chain, 'ENTRYPOINT')!.args);
      const flags = IDLE_PROCESS_NODE_FLAGS.length;
      expect(entrypoint.slice(0, flags + 1)).toEqual(['node', ...IDLE_PROCESS_NODE_FLAGS]);
      expect(path.join(repoRoot, entrypoint[flags + 1])).toBe(image === 'jit' ? jitMain : orchestratorMain);
      const health = execForm(last(chain, 'HEALTHCHECK')!.args.replace(/^(--\S+\s+)*CMD\s+/, ''));
      expect(health[0]).toBe('node');
      // The script is copied to where the command looks for it.
      const copied = chain
        .flatMap((s) => s.instructions)
        .filter((i) => i.keyword === 'COPY')
        .map((i) => copyParts(i.args));
      expect(
        copied.some((c) => path.posix.join(workdir, c.dest) === path.posix.join(workdir, health[1]) && c.sources.includes(health[1])),
      ).toBe(true);
      expect(existsSync(path.join(repoRoot, health[1]))).toBe(true);
    },
  );

  it('the entry points start: the spec’s `orchestrator --help` and `--help` exit 0', () => {
    // The image's own entry point (its Node flags included), with the repository for its WORKDIR.
    const entry = (image: 'orchestrator' | 'jit', args: string[]) => {
      const [, ...nodeArgs] = execForm(last(images[image], 'ENTRYPOINT')!.args);
      return spawnSync(process.execPath, [...nodeArgs, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
    };
    const orchestratorHelp = entry('orchestrator', ['orchestrator', '--help']);
    expect(orchestratorHelp.status).toBe(0);
    expect(orchestratorHelp.stdout).toContain('--turn');
    const jitHelp = entry('jit', execForm(last(images.jit, 'CMD')!.args));
    expect(jitHelp.status).toBe(0);
    expect(jitHelp.stdout).toContain('--input');
  });

  it('the orchestrator image runs a JIT when started as one (MAIN_MODULE=jit, as agents set it; or `jit` first), for --dev', () => {
    // --dev names jit-orchestrator as the JIT image: its entry point must not read JIT options as its own.
    const [, ...nodeArgs] = execForm(last(images.orchestrator, 'ENTRYPOINT')!.args);
    const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      spawnSync(process.execPath, [...nodeArgs, ...args], {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, ...env },
      });
    for (const result of [run(['--help'], { MAIN_MODULE: 'jit' }), run(['jit', '--help'])]) {
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('--input');
      expect(result.stdout).not.toContain('--turn');
    }
    // A JIT's bad option is the JIT's error (exit 2), not the orchestrator's.
    const bad = run(['--no-such-option'], { MAIN_MODULE: 'jit' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('(jit --help lists the options)');
  });
});

describe('docker/healthcheck.js against the real programs', () => {
  let temporal: TemporalServer;
  beforeAll(async () => {
    temporal = await ensureTemporal();
  });
  afterAll(async () => temporal?.stop());

  it('agent mode (MAIN_MODULE=agent, its port from JIT_INSTANCE_AGENT_PORT) is healthy, and unhealthy once stopped', async () => {
    const agent = await startService('agent', orchestratorMain, [], {
      MAIN_MODULE: 'agent',
      JIT_INSTANCE_AGENT_HOST: '127.0.0.1',
      JIT_INSTANCE_AGENT_PORT: '18640',
      JIT_AGENT_SECRET: 'docker-files-test-secret',
      JIT_AGENT_RUNTIME: 'process',
      JIT_CONTAINER_PORT_MIN: '29800',
      JIT_CONTAINER_PORT_MAX: '29999',
    });
    const pid = agent.process.pid!;
    try {
      const ok = healthcheck(pid);
      expect([ok.status, ok.stdout.trim()]).toEqual([0, 'agent: http://127.0.0.1:18640/health ok']);
    } finally {
      await agent.stop();
    }
    const gone = healthcheck(pid);
    expect(gone.status).toBe(1);
    expect(gone.stderr).toMatch(/^unhealthy: /);
  });

  it('the orchestrator (its port from --port) and a JIT (from its --host/--port) are healthy', async () => {
    const orchestrator = await startOrchestrator(
      {
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_NAMESPACE: temporal.namespace,
        JIT_INSTANCE_AGENT_PORT_MIN: '18641',
        JIT_INSTANCE_AGENT_PORT_MAX: '18642',
        JIT_CONTAINER_PORT_MIN: '29000',
        JIT_CONTAINER_PORT_MAX: '29799',
      },
      ['--port', '18650'],
    );
    try {
      const ok = healthcheck(orchestrator.process.pid!);
      expect([ok.status, ok.stdout.trim()]).toEqual([0, 'orchestrator: http://127.0.0.1:18650/health ok']);
    } finally {
      await orchestrator.stop();
    }
    const clip = await makeIndexedClip({ codec: 'prores', width: 320, height: 180, frames: 25 });
    const jit = await startJit(['-i', clip, '--host', '127.0.0.1', '--port', '18651'], {
      JIT_CONTAINER_PORT_MIN: '29700',
      JIT_CONTAINER_PORT_MAX: '29799',
    });
    try {
      const ok = healthcheck(jit.process.pid!);
      expect([ok.status, ok.stdout.trim()]).toEqual([0, 'jit: http://127.0.0.1:18651/health ok']);
    } finally {
      await jit.stop();
    }
  });
});

describe('docker/compose.yaml', () => {
  const services = compose.services;

  it('brings up Temporal on PostgreSQL, its UI, and the orchestrator', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'orchestrator', 'jit']));
    expect(services.temporal.image).toMatch(/^temporalio\/auto-setup:/);
    expect(services.temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(services['temporal-ui'].image).toMatch(/^temporalio\/ui:/);
    expect(services['temporal-ui'].environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('builds both images from docker/Dockerfile, under the names the orchestrator starts', () => {
    const stageNames = dockerfile.stages.map((s) => s.name);
    for (const name of ['orchestrator', 'jit']) {
      const { build, image } = services[name];
      expect(existsSync(path.resolve(dockerDir, build!.context, build!.dockerfile))).toBe(true);
      expect(path.resolve(dockerDir, build!.context)).toBe(repoRoot);
      expect(stageNames).toContain(build!.target);
      expect(image).toBe(name === 'jit' ? 'jit' : 'jit-orchestrator');
    }
    const env = services.orchestrator.environment!;
    expect(env.JIT_INSTANCE_AGENT_IMAGE).toBe(services.orchestrator.image);
    expect(env.JIT_IMAGE).toBe(services.jit.image);
  });

  it('gives the orchestrator the host’s Docker socket, Temporal’s address and the single-instance provider', () => {
    const orchestrator = services.orchestrator;
    expect(orchestrator.volumes).toContain('/var/run/docker.sock:/var/run/docker.sock');
    // Local media at the same path for the orchestrator (input roots) and the JIT containers.
    const media = interpolate(orchestrator.environment!.JIT_MEDIA_ROOTS);
    expect(orchestrator.volumes!.map(interpolate)).toContain(`${media}:${media}:ro`);
    expect(interpolate(orchestrator.environment!.JIT_CONTAINER_BINDS)).toBe(`${media}:${media}:ro`);
    expect(orchestrator.network_mode).toBe('host');
    expect(orchestrator.environment).toMatchObject({
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      DOCKER_HOST: 'unix:///var/run/docker.sock',
      JIT_INSTANCE_PROVIDER_CLASS_PATH: 'orchestrator.providers.single_instance_provider.SingleInstanceProvider',
    });
  });

  it('sets only variables the programs read, with values the orchestrator accepts', () => {
    const env = Object.fromEntries(Object.entries(services.orchestrator.environment!).map(([k, v]) => [k, interpolate(String(v))]));
    for (const name of Object.keys(env)) expect([name, knownSettings.has(name)]).toEqual([name, true]);
    // The orchestrator's own parse, as the container runs it (no arguments).
    expect(parseOrchestratorConfig([], env)).toMatchObject({ agentImage: 'jit-orchestrator', jitImage: 'jit', turn: false, port: 8080 });
  });
});
