import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import type { AgentStatus, StreamStarted } from '@jit/protocol';
import { Public } from './agent-auth.guard';
import { StreamManager } from './stream-manager';
import { parseStreamRequest } from './stream-request';

/** The agent's HTTP API (JSON). Every route but /health needs `Authorization: Bearer <secret>`. */
@Controller()
export class AgentController {
  constructor(@Inject(StreamManager) private readonly streams: StreamManager) {}

  @Public()
  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('status')
  status(): Promise<AgentStatus> {
    return this.streams.status();
  }

  /**
   * 201 once the JIT answers /health; 400 for a bad request, 409 for an id in use, 503 without a
   * free port block, 502 when the JIT ended first, 504 when it did not answer in time (the domain
   * errors of libs/errors, answered by DomainErrorFilter).
   */
  @Post('streams')
  @HttpCode(201)
  start(@Body() body: unknown): Promise<StreamStarted> {
    const { request, args } = parseStreamRequest(body);
    return this.streams.start(request, args);
  }

  /** 200 once the JIT is gone; 404 for an unknown id. */
  @Delete('streams/:id')
  @HttpCode(200)
  stop(@Param('id') id: string): Promise<{ id: string; state: 'exited'; exitCode: number | null }> {
    return this.streams.stop(id);
  }
}
