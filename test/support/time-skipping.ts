/**
 * Temporal's time-skipping test environment for workflow unit tests: timers and timeouts of
 * minutes or hours pass in milliseconds. Its server is the JVM build of Temporal's test server
 * (scripts/temporal-test-server.sh), since the SDK's own download cannot be reached here.
 */
import * as path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

import { repoRoot } from './media';

const testServer = path.join(repoRoot, 'scripts', 'temporal-test-server.sh');

export interface TimeSkippingSuite {
  /** The environment: its client, its native connection for workers, `sleep` to skip time. */
  readonly env: TestWorkflowEnvironment;
  /** The project's workflows, bundled once for the file (webpack takes a few seconds). */
  readonly bundle: WorkflowBundleWithSourceMap;
}

/**
 * For a describe block: starts a test server and bundles the workflows before its tests (both
 * at once), and stops the server after them. The fields are read inside the tests.
 */
export function timeSkippingSuite(): TimeSkippingSuite {
  quietWorkers();
  const suite = {} as { env: TestWorkflowEnvironment; bundle: WorkflowBundleWithSourceMap };
  beforeAll(async () => {
    [suite.env, suite.bundle] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServer } } }),
      bundleWorkflowCode({ workflowsPath: path.join(repoRoot, 'workflows', 'src'), logger: quietBundler }),
    ]);
  }, 120_000);
  afterAll(async () => {
    await suite.env?.teardown();
  });
  return suite;
}

const ignore = () => undefined;
const quietBundler = { trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore, log: ignore };

/** Workers' logs at WARN: their state changes at INFO would bury the test report. */
function quietWorkers(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Installed already by an earlier suite in this process.
  }
}
