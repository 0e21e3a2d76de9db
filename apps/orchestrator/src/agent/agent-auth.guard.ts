import { type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';

/** The agent's shared secret (undefined: --insecure, every request is let through). */
export const AGENT_SECRET = Symbol('AGENT_SECRET');

const PUBLIC = 'agent:public';
/** A route that needs no secret (`GET /health`). */
export const Public = () => SetMetadata(PUBLIC, true);

const digest = (s: string) => createHash('sha256').update(s).digest();

/** `Authorization: Bearer <JIT_AGENT_SECRET>` on every route but the public ones; 401 otherwise. */
@Injectable()
export class AgentAuthGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AGENT_SECRET) secret: string | undefined,
  ) {
    this.expected = secret ? digest(secret) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) return true;
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const http = context.switchToHttp();
    const header = http.getRequest<Request>().headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    // Compared as digests of equal length, in constant time.
    if (match && timingSafeEqual(digest(match[1]), this.expected)) return true;
    http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="jit-agent"');
    throw new UnauthorizedException(match ? 'wrong bearer token' : 'missing bearer token (Authorization: Bearer <JIT_AGENT_SECRET>)');
  }
}
