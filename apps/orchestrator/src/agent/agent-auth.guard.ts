import { type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { bearerToken, SecretMatcher } from '../../../../libs/security/src';

/** The agent's shared secret (undefined: --insecure, every request is let through). */
export const AGENT_SECRET = Symbol('AGENT_SECRET');

const PUBLIC = 'agent:public';
/** A route that needs no secret (`GET /health`). */
export const Public = () => SetMetadata(PUBLIC, true);

/** `Authorization: Bearer <JIT_AGENT_SECRET>` on every route but the public ones; 401 otherwise. */
@Injectable()
export class AgentAuthGuard implements CanActivate {
  private readonly matcher?: SecretMatcher;

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AGENT_SECRET) secret: string | undefined,
  ) {
    this.matcher = secret ? new SecretMatcher(secret) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.matcher) return true;
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const http = context.switchToHttp();
    const token = bearerToken(http.getRequest<Request>().headers.authorization);
    if (this.matcher.matches(token)) return true;
    http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="jit-agent"');
    throw new UnauthorizedException(token ? 'wrong bearer token' : 'missing bearer token (Authorization: Bearer <JIT_AGENT_SECRET>)');
  }
}
