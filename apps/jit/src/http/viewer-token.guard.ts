import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { requireToken } from '@jit/nest';
import { bearerToken, SecretMatcher } from '@jit/security';

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
    const token = presentedToken(context.switchToHttp().getRequest<Request>());
    return requireToken(context, this.matcher, token, 'jit-viewer', {
      missing: "this JIT serves one session: add its token (the jitUrl's ?token=)",
      wrong: 'wrong session token',
    });
  }
}
