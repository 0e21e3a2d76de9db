import { Body, Controller, Delete, Get, HttpStatus, Inject, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { SessionFailedError, UnknownSessionError } from '@jit/errors';
import type { SessionAnswer } from '@jit/protocol';
import { type SessionRequest, type StreamOptions, sessionRequestSchema, streamOptionsSchema } from '@jit/sessions';
import { SESSION_LOCAL } from '../metrics/request-logs';
import { InputPolicyPipe } from '../security/input-policy.pipe';
import { SessionsService } from './sessions.service';
import { ZodBodyPipe } from './zod-body.pipe';

const sessionIdSchema = z.string().regex(/^session-[0-9a-z-]{1,64}$/);

/** The REST API the browser player calls: thin, every call goes to the session's workflow. */
@Controller()
export class SessionsController {
  constructor(@Inject(SessionsService) private readonly sessions: SessionsService) {}

  /** 201 once the stream runs; 202 at once with ?wait=false; 422 when the JIT refused the inputs, 503 for anything else that failed. */
  @Post('session')
  async create(
    @Body(new ZodBodyPipe(sessionRequestSchema), InputPolicyPipe) request: SessionRequest,
    @Query('wait') wait: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SessionAnswer> {
    const waiting = wait !== 'false';
    const view = await this.sessions.create(request, waiting);
    res.locals[SESSION_LOCAL] = view.sessionId;
    if (view.state === 'failed') throw new SessionFailedError(view.lastError ?? 'the session failed', view.failedStep === 'stream', view);
    res.status(waiting ? HttpStatus.CREATED : HttpStatus.ACCEPTED);
    return view;
  }

  @Get('sessions')
  list(): Promise<SessionAnswer[]> {
    return this.sessions.list();
  }

  @Get('session/:id')
  get(@Param('id') id: string): Promise<SessionAnswer> {
    return this.sessions.get(this.checked(id));
  }

  @Post('session/:id/restart')
  restart(@Param('id') id: string, @Body(new ZodBodyPipe(streamOptionsSchema)) options: StreamOptions): Promise<SessionAnswer> {
    return this.sessions.restart(this.checked(id), options);
  }

  @Delete('session/:id')
  end(@Param('id') id: string): Promise<SessionAnswer> {
    return this.sessions.end(this.checked(id));
  }

  private checked(id: string): string {
    if (!sessionIdSchema.safeParse(id).success) throw new UnknownSessionError(id);
    return id;
  }
}
