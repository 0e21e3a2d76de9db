import * as path from 'node:path';

/**
 * The compiled JIT program that the child-process runtime runs with this Node.js: the agent is
 * compiled to dist/apps/agent/src/, the JIT to dist/apps/jit/src/main.js.
 */
export const JIT_MAIN = path.join(__dirname, '..', '..', 'jit', 'src', 'main.js');
