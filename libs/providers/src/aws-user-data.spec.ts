import { execFileSync } from 'node:child_process';
import { agentUserData } from './aws-user-data';

describe('the user data that starts the agent', () => {
  const boot = {
    sessionId: 'session-2026-01-01-0123456789',
    image: 'registry.example.com:5000/jit/orchestrator:1',
    env: { MAIN_MODULE: 'agent', JIT_AGENT_SECRET: "s3cret with 'quotes' and $dollars" },
    registry: { username: 'robot', password: "pa'ss" },
  };

  it('is valid sh that writes the settings verbatim and runs the agent image with them', () => {
    const script = agentUserData(boot);
    execFileSync('bash', ['-n'], { input: script });
    expect(script).toContain("\nMAIN_MODULE=agent\nJIT_AGENT_SECRET=s3cret with 'quotes' and $dollars\nJIT_AGENT_ENV\n");
    expect(script).toContain("printf %s 'pa'\\''ss' | docker login --username 'robot' --password-stdin 'registry.example.com:5000'");
    expect(script).toMatch(
      /docker run -d --name jit-agent .*--network host -v \/var\/run\/docker.sock:\/var\/run\/docker.sock --env-file \/etc\/jit-agent.env 'registry.example.com:5000\/jit\/orchestrator:1'\n$/,
    );
  });

  it('refuses a setting that would break out of its line', () => {
    expect(() => agentUserData({ ...boot, env: { JIT_AGENT_SECRET: 'a\nrm -rf /' } })).toThrow(/JIT_AGENT_SECRET cannot go into user data/);
  });
});
