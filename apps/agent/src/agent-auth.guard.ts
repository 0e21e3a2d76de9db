import { type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { requireToken } from '@jit/nest';
import { bearerToken, SecretMatcher } from '@jit/security';

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
    const token = bearerToken(context.switchToHttp().getRequest<Request>().headers.authorization);
    return requireToken(context, this.matcher, token, 'jit-agent', {
      missing: 'missing bearer token (Authorization: Bearer <JIT_AGENT_SECRET>)',
      wrong: 'wrong bearer token',
    });
  }
}
