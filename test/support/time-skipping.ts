/**
 * Temporal's time-skipping test environment for workflow unit tests: timers and timeouts of
 * minutes or hours pass in milliseconds. Its server is the JVM build of Temporal's test server
 * (scripts/temporal-test-server.sh), since the SDK's own download cannot be reached here.
 */
import * as path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

import { repoRoot } from './media';

const testServer = path.join(repoRoot, 'scripts', 'temporal-test-server.sh');

export function timeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServer } } });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The project's workflows bundled once per test file (webpack takes a few seconds). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: path.join(repoRoot, 'workflows', 'src'), logger: quietBundler });
  return bundle;
}

const ignore = () => undefined;
const quietBundler = { trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore, log: ignore };
