/**
 * Node.js flags for jit's own processes (orchestrator, agent, JIT; `npm start`, `npm run jit` and
 * the docker/Dockerfile entrypoints carry the same). Agents and JITs spend most of their life
 * idle: a spare agent and its standby JIT wait for a session, a session's JIT for its viewer or
 * paused. There V8's memory reducer kept running a full garbage collection about every 9 s, with
 * no end: 0.9–1.5 s of CPU per 20 s for an idle JIT with its inputs open, 0.4 s for an agent.
 * Without it they use none, and their heap stays at its working size (tens of MB). NODE_OPTIONS
 * does not take V8 flags such as this one, so it goes on the command line.
 */
export const IDLE_PROCESS_NODE_FLAGS: readonly string[] = ['--no-memory-reducer'];
