import { type CanActivate, type ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { bearerToken, SecretMatcher } from '../../../../libs/security/src';

/** The JIT's viewer token (JIT_VIEWER_TOKEN); undefined: a standalone JIT, open to anyone. */
export const VIEWER_TOKEN = Symbol('VIEWER_TOKEN');

/** The token a request presents: `?token=` (what a jitUrl carries) or `Authorization: Bearer`. */
export function presentedToken(request: Request): string | undefined {
  const query = request.query.token;
  return typeof query === 'string' ? query : bearerToken(request.headers.authorization);
}

/**
 * Only viewers of this JIT's own session: WHEP and /status need the session's token when the
 * orchestrator gave one; 401 otherwise. The player page and /health stay open.
 */
@Injectable()
export class ViewerTokenGuard implements CanActivate {
  private readonly matcher?: SecretMatcher;

  constructor(@Inject(VIEWER_TOKEN) token: string | undefined) {
    this.matcher = token ? new SecretMatcher(token) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.matcher) return true;
    const http = context.switchToHttp();
    const token = presentedToken(http.getRequest<Request>());
    if (this.matcher.matches(token)) return true;
    http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="jit-viewer"');
    throw new UnauthorizedException(token ? 'wrong session token' : "this JIT serves one session: add its token (the jitUrl's ?token=)");
  }
}
