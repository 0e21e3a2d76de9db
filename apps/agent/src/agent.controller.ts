import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  GatewayTimeoutException,
  HttpCode,
  HttpException,
  HttpStatus,
  Inject,
  NotFoundException,
  Param,
  Post,
  ServiceUnavailableException,
} from '@nestjs/common';
import { Public } from './agent-auth.guard';
import { NoFreePortError } from './ports';
import type { AgentStatus, StreamStarted } from '@jit/protocol';
import { JitStartError, JitStartTimeoutError, StreamConflictError, StreamManager, UnknownStreamError } from './stream-manager';
import { parseStreamRequest, StreamRequestError } from './stream-request';

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

  /** 201 once the JIT answers /health. */
  @Post('streams')
  @HttpCode(201)
  async start(@Body() body: unknown): Promise<StreamStarted> {
    try {
      const { request, args } = parseStreamRequest(body);
      return await this.streams.start(request, args);
    } catch (error) {
      if (error instanceof StreamRequestError) throw new BadRequestException(error.message);
      if (error instanceof StreamConflictError) throw new ConflictException(error.message);
      if (error instanceof NoFreePortError) throw new ServiceUnavailableException(error.message);
      if (error instanceof JitStartTimeoutError) throw new GatewayTimeoutException(error.message);
      if (error instanceof JitStartError) {
        throw new HttpException(
          {
            statusCode: HttpStatus.BAD_GATEWAY,
            error: 'Bad Gateway',
            message: error.message,
            exitCode: error.exitCode,
            stderr: error.stderr,
          },
          HttpStatus.BAD_GATEWAY,
        );
      }
      throw error;
    }
  }

  /** 200 once the JIT is gone. */
  @Delete('streams/:id')
  @HttpCode(200)
  async stop(@Param('id') id: string): Promise<{ id: string; state: 'exited'; exitCode: number | null }> {
    try {
      return await this.streams.stop(id);
    } catch (error) {
      if (error instanceof UnknownStreamError) throw new NotFoundException(error.message);
      throw error;
    }
  }
}
