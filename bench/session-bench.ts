/**
 * Session benchmark: the orchestrator as a real process on a Temporal development server of its
 * own, with the single-instance provider (an agent process per session, a JIT process per stream),
 * and headless Chromium as the viewer, on a 250-frame 720p25 ProRes clip. Measures
 *   1. POST /session → first frame: sessions one after another, each from sending POST /session
 *      (wait=true) to frame 0 presented in a player page that was open already (as a reviewer's
 *      is when they start a session), connected to the returned jitUrl, split into the server's
 *      phases (from the workflow's timings, the orchestrator's and the agent's logs) and the
 *      browser's; then DELETE /session/:id. Once with a spare agent ready (the default,
 *      JIT_INSTANCE_AGENT_SPARES=1: each session waits until the spare is back), once without;
 *   2. session starts per second: K sessions started at once with ?wait=false (polled until
 *      running), then K at once with wait=true, each batch ended with K DELETEs at once;
 *   3. that nothing is left afterwards: no agent or JIT process, no agent or JIT port answering;
 *   4. what starting the agent and the JIT programs alone costs (`--help`: Node, the program's
 *      modules, its options), the floor under the per-session process starts.
 * Prints figures and writes a Markdown table to bench/results/latest.md. The machine is shared
 * and noisy: nothing here asserts timing.
 *
 *   npm run build && node dist/bench/session-bench.js [--quick] [--runs N] [--concurrent K] [--write]
 *
 * Run it from the repository root. Only a full run (not --quick) writes bench/results/latest.md
 * (--write forces it).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import type { SessionAnswer } from '@jit/protocol';
import { launchBrowser, openPlayer, pageLog } from '../test/support/browser';
import { startOrchestrator, type RunningOrchestrator } from '../test/support/orchestrator-process';
import { connect, disconnect, waitForFrame } from '../test/support/player';
import { serveFiles, type StaticServer } from '../test/support/static-server';
import { http } from '../test/support/service-process';
import { ensureTemporal, type TemporalServer } from '../test/support/temporal';
import {
  childCpu,
  describe,
  fmt,
  latestResults,
  markdownTable,
  processCpuTimes,
  repoRoot,
  resultsSection,
  summarize,
  type TableRow,
  verdict,
  writeResultsSection,
} from './bench-util';
import { makeIndexedClip } from '@jit/sample-media';

const TARGET_FIRST_FRAME_MS = 1000;
const SECTION = 'Sessions (session-bench)';
const CLIP_NAME = 'ProRes 422 720p25';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const optionValue = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : undefined;
};
const RUNS = Number(optionValue('--runs') ?? (quick ? 3 : 10));
const K = Number(optionValue('--concurrent') ?? (quick ? 4 : 8));

// Port ranges of our own, apart from the end-to-end tests' (agents 18181..18214, media 21000..25999)
// and below the kernel's ephemeral ports (32768+).
// Every agent port gets its own slice of 100 media ports (one JIT each).
const AGENT_PORT_MIN = 18400;
const AGENT_PORT_MAX = AGENT_PORT_MIN + 2 * K + 4 - 1;
const MEDIA_PORT_MIN = 27000;
const MEDIA_PORT_MAX = MEDIA_PORT_MIN + (AGENT_PORT_MAX - AGENT_PORT_MIN + 1) * 100 - 1;

const LOAD_RUNS = quick ? 2 : 3;
const node = `'${process.execPath}'`;
const PROGRAM_LOADS: [string, string][] = [
  ['bare Node (node -e 0)', `${node} -e 0`],
  ['agent (main.js agent --help)', `${node} '${path.join(repoRoot, 'dist', 'apps', 'orchestrator', 'src', 'main.js')}' agent --help`],
  ['JIT (jit main.js --help)', `${node} '${path.join(repoRoot, 'dist', 'apps', 'jit', 'src', 'main.js')}' --help`],
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Logs: every program logs pino JSON lines with "time" in epoch ms (same machine as this one)

interface LogLine {
  time: number;
  msg?: string;
  name?: string;
  port?: number;
  ms?: number;
  ref?: string;
  sessionId?: string;
  [k: string]: unknown;
}

function logLines(text: string): LogLine[] {
  const out: LogLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const e = JSON.parse(line) as LogLine;
      if (typeof e.time === 'number') out.push(e);
    } catch {
      /* not JSON */
    }
  }
  return out;
}

/** The orchestrator's line naming the agent a session got: started for it, or a spare taken. */
const agentOf = (orch: RunningOrchestrator, sessionId: string): LogLine | undefined =>
  logLines(orch.output()).find((e) => (e.msg === 'agent process started' || e.msg === 'spare agent taken') && e.sessionId === sessionId);

/** The agent's log file (its own lines and its JITs'). */
const agentLogFile = (orch: RunningOrchestrator, sessionId: string): string =>
  (agentOf(orch, sessionId)?.logFile as string | undefined) ?? path.join(repoRoot, '.cache', 'agents', `${sessionId}.log`);

/** The points in time of one session start, epoch ms; NaN where a log line was not found. */
interface StartTimeline {
  postSent: number;
  /** workflow started (its first workflow task) */
  createdAt: number;
  /** the orchestrator's "agent process started" (right after spawn) */
  agentSpawned: number;
  /** the agent's first log line (Node started, program loaded) */
  agentFirstLog: number;
  agentListening: number;
  instanceReadyAt: number;
  /** the agent's "JIT starting" (spawning the JIT) */
  jitStarting: number;
  /** the JIT's first log line */
  jitFirstLog: number;
  jitListening: number;
  /** the agent's "JIT running" (its health check of the JIT answered) */
  jitRunning: number;
  runningAt: number;
  postAnswered: number;
  jitPid?: number;
}

function startTimeline(orch: RunningOrchestrator, session: SessionAnswer, postSent: number, postAnswered: number): StartTimeline {
  const spawned = agentOf(orch, session.sessionId);
  const logFile = agentLogFile(orch, session.sessionId);
  const agentLog = existsSync(logFile) ? logLines(readFileSync(logFile, 'utf8')) : [];
  const agent = agentLog.filter((e) => e.name === 'agent');
  const jit = agentLog.filter((e) => e.name === 'jit');
  const starting = agent.find((e) => e.msg === 'JIT starting');
  const pid = /pid (\d+)/.exec(starting?.ref ?? '')?.[1];
  const t = (e: LogLine | undefined) => e?.time ?? NaN;
  const timeline: StartTimeline = {
    postSent,
    createdAt: Date.parse(session.timings.createdAt),
    agentSpawned: t(spawned),
    agentFirstLog: t(agent[0]),
    agentListening: t(agent.find((e) => e.msg === 'agent listening')),
    instanceReadyAt: session.timings.instanceReadyAt ? Date.parse(session.timings.instanceReadyAt) : NaN,
    jitStarting: t(starting),
    jitFirstLog: t(jit[0]),
    jitListening: t(jit.find((e) => e.msg === 'JIT listening')),
    jitRunning: t(agent.find((e) => e.msg === 'JIT running')),
    runningAt: session.timings.runningAt ? Date.parse(session.timings.runningAt) : NaN,
    postAnswered,
    jitPid: pid ? Number(pid) : undefined,
  };
  // What happened ahead of the session (a spare agent's start, its standby JIT's) costs it nothing:
  // such points count as happening at the previous point of the start.
  let previous = NaN;
  for (const key of TIMELINE_ORDER) {
    if (Number.isFinite(previous) && timeline[key] < previous) timeline[key] = previous;
    if (Number.isFinite(timeline[key])) previous = timeline[key];
  }
  return timeline;
}

const TIMELINE_ORDER = [
  'postSent',
  'createdAt',
  'agentSpawned',
  'agentFirstLog',
  'agentListening',
  'instanceReadyAt',
  'jitStarting',
  'jitFirstLog',
  'jitListening',
  'jitRunning',
  'runningAt',
  'postAnswered',
] as const satisfies (keyof StartTimeline)[];

/** The server's phases of a start, consecutive: their sum is POST sent → POST answered. */
const PHASES: { key: string; label: string; from: keyof StartTimeline; to: keyof StartTimeline }[] = [
  { key: 'toWorkflow', label: 'POST → workflow started (REST, capacity count, start)', from: 'postSent', to: 'createdAt' },
  { key: 'toSpawn', label: 'workflow started → agent spawned or spare taken (activity)', from: 'createdAt', to: 'agentSpawned' },
  { key: 'agentBoot', label: 'agent spawned → its first log line (Node + program load)', from: 'agentSpawned', to: 'agentFirstLog' },
  { key: 'agentListen', label: 'agent first log → agent listening (Nest)', from: 'agentFirstLog', to: 'agentListening' },
  { key: 'toReady', label: 'agent listening → instanceReadyAt (250 ms health poll)', from: 'agentListening', to: 'instanceReadyAt' },
  { key: 'toJitStart', label: 'instanceReadyAt → agent spawns the JIT (activity, HTTP)', from: 'instanceReadyAt', to: 'jitStarting' },
  { key: 'jitBoot', label: 'JIT spawned → its first log line (Node, load, media open, Nest)', from: 'jitStarting', to: 'jitFirstLog' },
  { key: 'jitListen', label: 'JIT first log → JIT listening', from: 'jitFirstLog', to: 'jitListening' },
  { key: 'toJitRunning', label: 'JIT listening → agent sees it running (agent poll)', from: 'jitListening', to: 'jitRunning' },
  { key: 'toRunningAt', label: 'agent sees running → runningAt (200 ms status poll)', from: 'jitRunning', to: 'runningAt' },
  { key: 'toAnswer', label: 'runningAt → POST answered (update result, HTTP)', from: 'runningAt', to: 'postAnswered' },
];

/** The JIT's own last words in its agent's log ("jit: …" on a failed start), if any. */
function jitFailure(orch: RunningOrchestrator, sessionId: string): string {
  try {
    const m = /^jit: (.+)$/m.exec(readFileSync(agentLogFile(orch, sessionId), 'utf8'));
    return m ? ` (the JIT: ${m[1]})` : '';
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// Sessions over the REST API

/** Everything that ran for a session, for the check that nothing is left. */
interface Started {
  agentPid?: number;
  agentPort?: number;
  jitPid?: number;
  jitUrl?: string;
}
const everything: Started[] = [];

function remember(orch: RunningOrchestrator, s: SessionAnswer): void {
  const m = /^local-(\d+)-(\d+)$/.exec(s.instance?.id ?? '');
  const started: Started = {
    agentPort: m ? Number(m[1]) : undefined,
    agentPid: m ? Number(m[2]) : undefined,
    jitUrl: s.jitUrl ?? undefined,
  };
  const tl = startTimeline(orch, s, NaN, NaN);
  started.jitPid = tl.jitPid;
  everything.push(started);
}

async function createSession(
  orch: RunningOrchestrator,
  clip: string,
  wait: boolean,
): Promise<{ status: number; body: any; sent: number; answered: number }> {
  const sent = Date.now();
  const r = await http('POST', `${orch.url}/session${wait ? '' : '?wait=false'}`, { inputs: [{ url: clip }] });
  return { ...r, sent, answered: Date.now() };
}

async function endSession(orch: RunningOrchestrator, sessionId: string): Promise<{ ms: number; state: string }> {
  const t0 = performance.now();
  const r = await http('DELETE', `${orch.url}/session/${sessionId}`);
  return {
    ms: performance.now() - t0,
    state: r.status === 200 ? r.body.state : `HTTP ${r.status}: ${JSON.stringify(r.body).slice(0, 200)}`,
  };
}

// ---------------------------------------------------------------------------------------------
// 1. POST /session → first frame, one session after another

interface SequentialRun {
  total: number;
  post: number;
  /** jitUrl → frame 0 shown: connect (WHEP, ICE, DTLS) → frame, in the page open already */
  toFrame: number;
  del: number;
  /** CPU seconds the agent and the JIT process had used when frame 0 was shown (mostly their start) */
  agentCpu: number;
  jitCpu: number;
  /** Whether the session got a spare agent. */
  spare: boolean;
  timeline: StartTimeline;
  phases: Record<string, number>;
}

/** How long a spare's standby JIT takes to load after its agent answers, at most (both start together). */
const STANDBY_SETTLE_MS = 1500;

/**
 * Resolves once the orchestrator has a spare agent ready: started (more spares started than
 * sessions took), answering, and its standby JIT given time to load. Sessions are thus started a
 * few seconds apart, as reviewers start theirs, not back to back.
 */
async function spareReady(orch: RunningOrchestrator, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = logLines(orch.output());
    const taken = new Set(lines.filter((e) => e.msg === 'spare agent taken').map((e) => e.pid));
    const spare = lines.find((e) => e.msg === 'spare agent started' && !taken.has(e.pid));
    if (spare && (await answers(`http://127.0.0.1:${spare.port}/health`))) {
      await sleep(STANDBY_SETTLE_MS);
      return;
    }
    if (Date.now() > deadline) throw new Error(`no spare agent ready after ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function sequentialRun(
  browser: Browser,
  orch: RunningOrchestrator,
  clip: string,
  playerUrl: string,
  spares: boolean,
): Promise<SequentialRun> {
  // Either way the session starts on a machine at rest, as the one with a spare does.
  if (spares) await spareReady(orch);
  else await sleep(STANDBY_SETTLE_MS);
  const page = await openPlayer(browser, playerUrl);
  try {
    const created = await createSession(orch, clip, true);
    if (created.status !== 201) throw new Error(`POST /session: ${created.status} ${JSON.stringify(created.body).slice(0, 500)}`);
    const session = created.body as SessionAnswer;
    remember(orch, session);
    const jitUrl = session.jitUrl!;
    const t1 = Date.now();
    try {
      await connect(page, jitUrl);
      await waitForFrame(page, 0, 10_000);
    } catch (error) {
      throw new Error(`${session.sessionId}: ${(error as Error).message}; page errors: ${pageLog(page).errors.slice(0, 3).join(' | ')}`, {
        cause: error,
      });
    }
    const t3 = Date.now();
    const cpu = (pid: number | undefined) => {
      try {
        const c = processCpuTimes(pid!);
        return c.user + c.system;
      } catch {
        return NaN;
      }
    };
    const started = everything[everything.length - 1];
    const agentCpu = cpu(started.agentPid);
    const jitCpu = cpu(started.jitPid);
    await disconnect(page);
    const ended = await endSession(orch, session.sessionId);
    if (ended.state !== 'ended') throw new Error(`DELETE ${session.sessionId}: ${ended.state}`);
    const timeline = startTimeline(orch, session, created.sent, created.answered);
    const phases: Record<string, number> = {};
    for (const p of PHASES) phases[p.key] = timeline[p.to]! - timeline[p.from]!;
    return {
      total: t3 - created.sent,
      post: created.answered - created.sent,
      toFrame: t3 - t1,
      del: ended.ms,
      agentCpu,
      jitCpu,
      spare: agentOf(orch, session.sessionId)?.msg === 'spare agent taken',
      timeline,
      phases,
    };
  } finally {
    await page.close();
  }
}

/** Sessions one after another on `orch`: printed, and summed up in `rows` under `label`. */
async function sequentialSeries(
  browser: Browser,
  orch: RunningOrchestrator,
  clip: string,
  playerUrl: string,
  spares: boolean,
  rows: TableRow[],
): Promise<void> {
  const label = spares ? 'with a spare agent' : 'without spares';
  const warm = await sequentialRun(browser, orch, clip, playerUrl, spares);
  console.log(
    `  warm-up (first session of this orchestrator, not counted): total ${fmt(warm.total, 0)} ms (POST ${fmt(warm.post, 0)}, jitUrl → frame ${fmt(warm.toFrame, 0)}, DELETE ${fmt(warm.del, 0)})`,
  );
  const runs: SequentialRun[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await sequentialRun(browser, orch, clip, playerUrl, spares);
    runs.push(r);
    console.log(
      `  session ${String(i + 1).padStart(2)}${r.spare ? ' (spare)' : ''}: POST → frame ${fmt(r.total, 0).padStart(5)} ms = POST ${fmt(r.post, 0)} ` +
        `[agent ${fmt(r.timeline.instanceReadyAt - r.timeline.postSent, 0)}, JIT ${fmt(r.timeline.runningAt - r.timeline.instanceReadyAt, 0)}, answer ${fmt(r.timeline.postAnswered - r.timeline.runningAt, 0)}] ` +
        `+ jitUrl → frame ${fmt(r.toFrame, 0)}; DELETE ${fmt(r.del, 0)} ms`,
    );
  }
  const total = summarize(runs.map((r) => r.total));
  const post = summarize(runs.map((r) => r.post));
  const toFrame = summarize(runs.map((r) => r.toFrame));
  const del = summarize(runs.map((r) => r.del));
  const target = spares ? `p50 ≤ ${TARGET_FIRST_FRAME_MS}` : '—';
  const result = spares ? verdict(total.p50, TARGET_FIRST_FRAME_MS) : '—';
  console.log(
    `\n  POST → first frame (${label}): ${describe(total)}${spares ? `   target p50 ≤ ${TARGET_FIRST_FRAME_MS} ms: ${result}` : ''}`,
  );
  console.log(`    POST (wait=true) answered: ${describe(post)}`);
  console.log(`    jitUrl → first frame:      ${describe(toFrame)}`);
  console.log(`    DELETE answered:           ${describe(del)}`);
  console.log(
    `  where the POST goes (p50 of each phase; consecutive, they add up to the POST; what happened ahead of the session counts 0):`,
  );
  let phaseSum = 0;
  const phaseP50: Record<string, number> = {};
  for (const p of PHASES) {
    const s = summarize(runs.map((r) => r.phases[p.key]).filter(Number.isFinite));
    phaseP50[p.key] = s.p50;
    phaseSum += Number.isFinite(s.p50) ? s.p50 : 0;
    console.log(`    ${p.label.padEnd(62)} ${fmt(s.p50, 0).padStart(5)} ms  (p95 ${fmt(s.p95, 0)}, n=${s.n})`);
  }
  console.log(`    ${'sum of the p50s'.padEnd(62)} ${fmt(phaseSum, 0).padStart(5)} ms`);
  const agentMs = summarize(runs.map((r) => r.timeline.instanceReadyAt - r.timeline.postSent)).p50;
  const jitMs = summarize(runs.map((r) => r.timeline.runningAt - r.timeline.instanceReadyAt)).p50;
  const nodeBoot = (phaseP50.agentBoot ?? NaN) + (phaseP50.jitBoot ?? NaN);
  console.log(
    `  → POST sent → instance ready ${fmt(agentMs, 0)} ms, instance ready → running ${fmt(jitMs, 0)} ms; ` +
      `Node boots on the path (agent + JIT, spawn → first log line) ${fmt(nodeBoot, 0)} ms`,
  );
  const agentCpu = summarize(runs.map((r) => r.agentCpu).filter(Number.isFinite));
  const jitCpu = summarize(runs.map((r) => r.jitCpu).filter(Number.isFinite));
  console.log(
    `  CPU used by the time frame 0 was shown (mostly starting up): agent p50 ${fmt(agentCpu.p50, 2)} s, JIT p50 ${fmt(jitCpu.p50, 2)} s`,
  );
  const spared = runs.filter((r) => r.spare).length;
  rows.push(
    {
      clip: CLIP_NAME,
      metric: `POST /session → first frame (ms), ${label} (${spared}/${RUNS} sessions got one), ${RUNS} sessions in turn`,
      p50: fmt(total.p50, 0),
      p95: fmt(total.p95, 0),
      target,
      result,
    },
    {
      clip: CLIP_NAME,
      metric: `… POST /session (wait=true) answered (ms)`,
      p50: fmt(post.p50, 0),
      p95: fmt(post.p95, 0),
      target: '—',
      result: '—',
    },
    { clip: CLIP_NAME, metric: '… of which POST sent → instance ready', p50: fmt(agentMs, 0), p95: '—', target: '—', result: '—' },
    { clip: CLIP_NAME, metric: '… of which instance ready → running', p50: fmt(jitMs, 0), p95: '—', target: '—', result: '—' },
    {
      clip: CLIP_NAME,
      metric: '… of which Node boots on the path, agent + JIT (spawn → first log line)',
      p50: fmt(nodeBoot, 0),
      p95: '—',
      target: '—',
      result: '—',
    },
    {
      clip: CLIP_NAME,
      metric: '… jitUrl → first frame (ms; connect in the open page, frame 0)',
      p50: fmt(toFrame.p50, 0),
      p95: fmt(toFrame.p95, 0),
      target: '—',
      result: '—',
    },
    {
      clip: CLIP_NAME,
      metric: '… CPU s by frame 0: agent process / JIT process',
      p50: `${fmt(agentCpu.p50, 2)} / ${fmt(jitCpu.p50, 2)}`,
      p95: '—',
      target: '—',
      result: '—',
    },
    {
      clip: CLIP_NAME,
      metric: '… DELETE /session/:id answered (ms)',
      p50: fmt(del.p50, 0),
      p95: fmt(del.p95, 0),
      target: '—',
      result: '—',
    },
  );
}

// ---------------------------------------------------------------------------------------------
// 2. K sessions at once

interface BatchResult {
  wait: boolean;
  /** first POST sent → every session running (seen by polling for wait=false, by the answers for wait=true) */
  allRunningMs: number;
  /** first POST sent → the latest runningAt of the workflows (the server's own view) */
  allRunningServerMs: number;
  /** POST answers, ms each */
  posts: number[];
  /** per session: POST sent → running (as seen) */
  toRunning: number[];
  created: number[];
  ready: number[];
  running: number[];
  failed: string[];
  deleteAllMs: number;
  deletes: number[];
  deleteFailures: string[];
}

async function batch(orch: RunningOrchestrator, clip: string, wait: boolean): Promise<BatchResult> {
  const t0 = Date.now();
  const answers = await Promise.all(Array.from({ length: K }, () => createSession(orch, clip, wait)));
  const failed: string[] = [];
  const ok = answers.filter((a) => {
    const good = a.status === (wait ? 201 : 202);
    if (!good) {
      const id = a.body?.session?.sessionId as string | undefined;
      failed.push(
        `${id ?? 'POST'}: ${a.status} ${a.body?.message ?? JSON.stringify(a.body).slice(0, 200)}${id ? jitFailure(orch, id) : ''}`,
      );
    }
    return good;
  });
  const seenRunning = new Map<string, number>();
  const finals = new Map<string, SessionAnswer>();
  if (wait) {
    for (const a of ok) {
      seenRunning.set(a.body.sessionId, a.answered);
      finals.set(a.body.sessionId, a.body);
    }
  } else {
    // Poll each session every 200 ms (staggered) until it runs or has failed; 60 s at most.
    const deadline = t0 + 60_000;
    await Promise.all(
      ok.map(async (a, i) => {
        await sleep((i * 200) / ok.length);
        for (;;) {
          const r = await http('GET', `${orch.url}/session/${a.body.sessionId}`);
          const s = r.body as SessionAnswer;
          if (r.status === 200 && s.state === 'running') {
            seenRunning.set(s.sessionId, Date.now());
            finals.set(s.sessionId, s);
            return;
          }
          if (r.status !== 200 || s.state === 'failed' || s.state === 'ended' || Date.now() > deadline) {
            failed.push(`${a.body.sessionId}: ${r.status} ${s.state ?? ''} ${s.lastError ?? ''}${jitFailure(orch, a.body.sessionId)}`);
            if (r.status === 200) finals.set(s.sessionId, s);
            return;
          }
          await sleep(200);
        }
      }),
    );
  }
  const allRunningMs = seenRunning.size ? Math.max(...seenRunning.values()) - t0 : NaN;
  for (const s of finals.values()) if (s.state === 'running') remember(orch, s);
  const views = [...finals.values()].filter((s) => s.state === 'running');
  const created = views.map((s) => Date.parse(s.timings.createdAt));
  const ready = views.map((s) => Date.parse(s.timings.instanceReadyAt ?? ''));
  const running = views.map((s) => Date.parse(s.timings.runningAt ?? ''));
  const toRunning = ok.filter((a) => seenRunning.has(a.body.sessionId)).map((a) => seenRunning.get(a.body.sessionId)! - a.sent);

  // End them all at once (the failed ones too, if they still run).
  const d0 = performance.now();
  const ends = await Promise.all([...finals.keys()].map((id) => endSession(orch, id)));
  const deleteAllMs = performance.now() - d0;
  return {
    wait,
    allRunningMs,
    allRunningServerMs: running.length ? Math.max(...running) - t0 : NaN,
    posts: answers.map((a) => a.answered - a.sent),
    toRunning,
    created,
    ready,
    running,
    failed,
    deleteAllMs,
    deletes: ends.map((e) => e.ms),
    deleteFailures: ends.filter((e) => e.state !== 'ended').map((e) => e.state),
  };
}

function reportBatch(b: BatchResult, rows: TableRow[]): void {
  const n = b.toRunning.length;
  const label = b.wait ? 'wait=true' : 'wait=false';
  const rate = n / (b.allRunningMs / 1000);
  const diff = (a: number[], z: number[]) => a.map((v, i) => z[i] - v);
  console.log(`  ${K} × POST /session?${label} at once: ${n}/${K} running${b.failed.length ? `; FAILED: ${b.failed.join(' | ')}` : ''}`);
  console.log(
    `     first POST → all running: ${fmt(b.allRunningMs, 0)} ms (${b.wait ? 'last answer' : 'seen by polling every 200 ms'}); by the workflows' runningAt: ${fmt(b.allRunningServerMs, 0)} ms`,
  );
  console.log(`     → ${fmt(rate, 2)} sessions started per second (${fmt(n / (b.allRunningServerMs / 1000), 2)} by runningAt)`);
  console.log(`     POST answered: ${describe(summarize(b.posts))}`);
  console.log(`     POST sent → running, each: ${describe(summarize(b.toRunning))}`);
  console.log(
    `     phases p50: createdAt → instanceReadyAt ${fmt(summarize(diff(b.created, b.ready)).p50, 0)} ms, instanceReadyAt → runningAt ${fmt(summarize(diff(b.ready, b.running)).p50, 0)} ms ` +
      `(p95 ${fmt(summarize(diff(b.created, b.ready)).p95, 0)} / ${fmt(summarize(diff(b.ready, b.running)).p95, 0)} ms)`,
  );
  console.log(
    `     ${b.deletes.length} × DELETE at once: all ended after ${fmt(b.deleteAllMs, 0)} ms; each ${describe(summarize(b.deletes))}${b.deleteFailures.length ? `; NOT ENDED: ${b.deleteFailures.join(' | ')}` : ''}`,
  );
  rows.push(
    {
      clip: CLIP_NAME,
      metric: `${K} starts at once (${label}): first POST → all running (ms)`,
      p50: fmt(b.allRunningMs, 0),
      p95: '—',
      target: '—',
      result: `${n}/${K}`,
    },
    {
      clip: CLIP_NAME,
      metric: `${K} starts at once (${label}): sessions started per second`,
      p50: fmt(rate, 2),
      p95: '—',
      target: '—',
      result: '—',
    },
    {
      clip: CLIP_NAME,
      metric: `${K} starts at once (${label}): createdAt → instanceReadyAt (ms)`,
      p50: fmt(summarize(diff(b.created, b.ready)).p50, 0),
      p95: fmt(summarize(diff(b.created, b.ready)).p95, 0),
      target: '—',
      result: '—',
    },
    {
      clip: CLIP_NAME,
      metric: `${K} starts at once (${label}): instanceReadyAt → runningAt (ms)`,
      p50: fmt(summarize(diff(b.ready, b.running)).p50, 0),
      p95: fmt(summarize(diff(b.ready, b.running)).p95, 0),
      target: '—',
      result: '—',
    },
    {
      clip: CLIP_NAME,
      metric: `${b.deletes.length} DELETEs at once: all ended (ms)`,
      p50: fmt(b.deleteAllMs, 0),
      p95: '—',
      target: '—',
      result: b.deleteFailures.length ? `${b.deleteFailures.length} not ended` : '—',
    },
  );
}

// ---------------------------------------------------------------------------------------------
// 3. Nothing left

/** Whether a process runs (a zombie does not). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

/** Processes whose environment names an agent port of our range: the agents, and the JITs they started. */
/** Agents kept ready by the orchestrator (started, not taken by a session): not leftovers. */
function spareAgents(orch: RunningOrchestrator | undefined): { pids: Set<number>; ports: Set<number> } {
  const pids = new Set<number>();
  const ports = new Set<number>();
  if (!orch) return { pids, ports };
  const lines = logLines(orch.output());
  const taken = new Set(lines.filter((e) => e.msg === 'spare agent taken').map((e) => e.pid));
  for (const e of lines) {
    if (e.msg !== 'spare agent started' || taken.has(e.pid)) continue;
    pids.add(e.pid as number);
    ports.add(e.port as number);
  }
  return { pids, ports };
}

/** Processes of our agent port range (agents, and the JITs that inherit their environment), but a spare and its standby JIT. */
function processesOfOurRange(spares: Set<number>): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      const port = Number(env.find((v) => v.startsWith('JIT_INSTANCE_AGENT_PORT='))?.split('=')[1]);
      const parent = Number(/^\d+ \(.*\) \S+ (\d+)/.exec(readFileSync(`/proc/${entry}/stat`, 'utf8'))?.[1]);
      if (spares.has(Number(entry)) || spares.has(parent)) continue;
      if (port >= AGENT_PORT_MIN && port <= AGENT_PORT_MAX && alive(Number(entry))) pids.push(Number(entry));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return pids;
}

/** What still runs of the sessions, `orch`'s spare agents set apart. */
async function leftovers(orch?: RunningOrchestrator): Promise<string[]> {
  const spares = spareAgents(orch);
  const found: string[] = [];
  for (const s of everything) {
    if (s.agentPid && alive(s.agentPid)) found.push(`agent pid ${s.agentPid} runs`);
    if (s.jitPid && alive(s.jitPid)) found.push(`JIT pid ${s.jitPid} runs`);
    if (s.agentPort && !spares.ports.has(s.agentPort) && (await answers(`http://127.0.0.1:${s.agentPort}/health`)))
      found.push(`agent port ${s.agentPort} answers`);
    if (s.jitUrl && (await answers(new URL('/health', s.jitUrl).href))) found.push(`JIT ${s.jitUrl} answers`);
  }
  for (const pid of processesOfOurRange(spares.pids)) found.push(`pid ${pid} (agent port range ${AGENT_PORT_MIN}..${AGENT_PORT_MAX}) runs`);
  return [...new Set(found)];
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (path.resolve(process.cwd()) !== repoRoot) {
    console.error(`run this from the repository root (${repoRoot}): the test helpers and the agents' logs are found from there`);
    process.exit(2);
  }
  const started = performance.now();
  console.log(
    `session benchmark: ${RUNS} sessions one after another, then ${K} at once (twice); ${CLIP_NAME} 250 frames; ` +
      `agent ports ${AGENT_PORT_MIN}..${AGENT_PORT_MAX}, media ports ${MEDIA_PORT_MIN}..${MEDIA_PORT_MAX}`,
  );
  const tSetup = performance.now();
  let temporal: TemporalServer | undefined;
  let browser: Browser | undefined;
  let orch: RunningOrchestrator | undefined;
  let orchestratorEnv: NodeJS.ProcessEnv;
  let playerServer: StaticServer | undefined;
  const rows: TableRow[] = [];
  const notes: string[] = [];
  try {
    let clip: string;
    const tTemporal = performance.now();
    let temporalMs = NaN;
    [temporal, browser, clip] = await Promise.all([
      ensureTemporal().then((t) => {
        temporalMs = performance.now() - tTemporal;
        return t;
      }),
      launchBrowser(),
      makeIndexedClip({ codec: 'prores', width: 1280, height: 720, frames: 250 }),
    ]);
    orchestratorEnv = {
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: temporal.namespace,
      TEMPORAL_TASK_QUEUE: `session-bench-${process.pid}`,
      JIT_INSTANCE_AGENT_PORT_MIN: String(AGENT_PORT_MIN),
      JIT_INSTANCE_AGENT_PORT_MAX: String(AGENT_PORT_MAX),
      JIT_CONTAINER_PORT_MIN: String(MEDIA_PORT_MIN),
      JIT_CONTAINER_PORT_MAX: String(MEDIA_PORT_MAX),
      JIT_AGENT_RUNTIME: 'process',
      // Room above K: the count of running sessions comes from Temporal's visibility, which can lag an ended batch.
      JIT_CAPACITY: String(2 * K + 2),
    };
    orch = await startOrchestrator(orchestratorEnv);
    // The Temporal SDK logs webpack's own figure when it bundles the workflow code at worker start.
    const bundleMs = Number(/webpack [\d.]+ compiled successfully in (\d+) ms/.exec(orch.output())?.[1] ?? NaN);
    console.log(
      `setup: Temporal dev server ${fmt(temporalMs / 1000, 1)} s (${temporal.owned ? 'own' : 'TEMPORAL_ADDRESS'}), ` +
        `orchestrator spawn → listening ${fmt(orch.startMs / 1000, 1)} s (of which webpack bundling the workflow code ${fmt(bundleMs, 0)} ms), ` +
        `all of setup ${fmt((performance.now() - tSetup) / 1000, 1)} s`,
    );
    rows.push({
      clip: '—',
      metric: `orchestrator spawn → listening (ms; webpack bundle of the workflows ${fmt(bundleMs, 0)} ms)`,
      p50: fmt(orch.startMs, 0),
      p95: '—',
      target: '—',
      result: '—',
    });

    // 1. one after another, with the player page open already
    const pageFile = (file: string) => path.join(repoRoot, 'dist', 'web', 'jit-player', file);
    const player = await serveFiles({
      '': pageFile('index.html'),
      'player.js': pageFile('player.js'),
      'player.css': pageFile('player.css'),
    });
    playerServer = player;
    const playerUrl = player.url('');
    console.log(`\n=== 1a. POST /session (wait=true) → first frame, one session after another, a spare agent ready ===`);
    await sequentialSeries(browser, orch, clip, playerUrl, true, rows);
    console.log(`\n=== 1b. the same without spare agents (JIT_INSTANCE_AGENT_SPARES=0) ===`);
    // Ports of its own, so that its start does not take the other orchestrator's spare for a leftover.
    const bare = await startOrchestrator({
      ...orchestratorEnv,
      JIT_INSTANCE_AGENT_SPARES: '0',
      TEMPORAL_TASK_QUEUE: `session-bench-bare-${process.pid}`,
      JIT_INSTANCE_AGENT_PORT_MIN: String(AGENT_PORT_MAX + 1),
      JIT_INSTANCE_AGENT_PORT_MAX: String(AGENT_PORT_MAX + 2),
      JIT_CONTAINER_PORT_MIN: String(MEDIA_PORT_MAX + 1),
      JIT_CONTAINER_PORT_MAX: String(MEDIA_PORT_MAX + 200),
    });
    try {
      await sequentialSeries(browser, bare, clip, playerUrl, false, rows);
    } finally {
      await bare.stop();
    }

    // 2. K at once
    console.log(`\n=== 2. ${K} sessions at once (JIT_CAPACITY ${2 * K + 2}) ===`);
    const nowait = await batch(orch, clip, false);
    reportBatch(nowait, rows);
    const waited = await batch(orch, clip, true);
    reportBatch(waited, rows);

    // 3. nothing left, with the orchestrator still up (every session ended) and after it stopped
    console.log(`\n=== 3. nothing left ===`);
    await sleep(500);
    const afterEnd = await leftovers(orch);
    await orch.stop();
    orch = undefined;
    const afterStop = await leftovers();
    const agents = everything.filter((s) => s.agentPid).length;
    const jits = everything.filter((s) => s.jitPid).length;
    const clean = afterEnd.length === 0 && afterStop.length === 0;
    console.log(
      `  ${agents} agents and ${jits} JITs started; after the last DELETE: ${afterEnd.length ? afterEnd.join('; ') : 'none running, no agent or JIT port answering'}; ` +
        `after the orchestrator stopped: ${afterStop.length ? afterStop.join('; ') : 'none'}`,
    );
    rows.push({
      clip: '—',
      metric: `left running after the DELETEs (${agents} agents, ${jits} JITs started)`,
      p50: String(afterEnd.length),
      p95: '—',
      target: '0',
      result: clean ? 'PASS' : 'MISS',
    });

    // 4. what a process start costs by itself, the programs loaded and nothing served
    console.log(`\n=== 4. program start alone (${LOAD_RUNS} runs each; --help: Node started, the program loaded, its options parsed) ===`);
    for (const [what, command] of PROGRAM_LOADS) {
      const measured = [];
      for (let i = 0; i < LOAD_RUNS; i++) measured.push(await childCpu(`${command} >/dev/null`));
      const wall = summarize(measured.map((m) => m.wallMs));
      const cpu = summarize(measured.map((m) => m.cpuSeconds));
      console.log(`  ${what.padEnd(34)} wall p50 ${fmt(wall.p50, 0)} ms (min ${fmt(wall.min, 0)}), CPU p50 ${fmt(cpu.p50, 2)} s`);
      rows.push({
        clip: '—',
        metric: `start alone: ${what} (ms; CPU ${fmt(cpu.p50, 2)} s)`,
        p50: fmt(wall.p50, 0),
        p95: '—',
        target: '—',
        result: '—',
      });
    }

    notes.push(
      `POST → first frame: POST /session (wait=true) sent → frame 0 read from the video of a Chromium player page (web/jit-player, served from ` +
        `loopback) that was open before the POST, as a reviewer's page is when they start a session (connect to the jitUrl, waitForFrame); ` +
        `${RUNS} sessions one after another after one warm-up, each then ended with DELETE; once with a spare agent (JIT_INSTANCE_AGENT_SPARES=1, ` +
        `the default: each session waits until the spare taken by the one before is back and answers, plus ${STANDBY_SETTLE_MS} ms for its standby JIT) and once with none. ` +
        `The phases come from the workflow's timings (createdAt, instanceReadyAt, runningAt), the orchestrator's log ("agent process started" / "spare agent taken") ` +
        `and the agent's log (its own lines and its JIT's); steps done ahead of the session (a spare's start) count 0. Sessions at once: ${K} POSTs sent together, ` +
        `with ?wait=false (GET /session/:id polled every 200 ms until running) and with wait=true; "sessions started per second" is ${K} over first POST → all running. ` +
        `Single-instance provider (an agent process per session, the JIT a process of the agent), Temporal dev server, Chromium and everything else on the same machine. ` +
        `"start alone": \`node dist/apps/orchestrator/src/main.js agent --help\` and \`node dist/apps/jit/src/main.js --help\`, wall and CPU (cutime + cstime).`,
    );
  } finally {
    await orch?.stop().catch(() => undefined);
    await playerServer?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await temporal?.stop().catch(() => undefined);
  }

  const table = markdownTable(rows);
  console.log('\n' + table + '\n');
  const command = `node dist/bench/session-bench.js${args.length ? ' ' + args.join(' ') : ''}`;
  if (!quick || args.includes('--write')) {
    writeResultsSection(latestResults, SECTION, resultsSection(SECTION, command, table + '\n\n' + notes.join('\n')));
    console.log(`written to ${latestResults}; total ${fmt((performance.now() - started) / 1000, 0)} s`);
  } else {
    console.log(`not written to ${latestResults} (--quick; --write forces it); total ${fmt((performance.now() - started) / 1000, 0)} s`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
