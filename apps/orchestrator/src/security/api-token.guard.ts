import { type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ORCHESTRATOR_CONFIG, requireToken } from '@jit/nest';
import type { OrchestratorConfig } from '@jit/config';
import { bearerToken, SecretMatcher } from '@jit/security';

const OPEN = 'api:open';
/** A route every caller may use, JIT_API_TOKEN or not (health probes). */
export const OpenRoute = () => SetMetadata(OPEN, true);

/**
 * With JIT_API_TOKEN, every route of the REST API (controllers) needs `Authorization: Bearer
 * <token>`, but the open ones; 401 otherwise. Static files and /docs are not controllers: they stay
 * open. Without JIT_API_TOKEN, everything is open.
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  private readonly matcher?: SecretMatcher;

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ORCHESTRATOR_CONFIG) config: OrchestratorConfig,
  ) {
    this.matcher = config.apiToken ? new SecretMatcher(config.apiToken) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.matcher || context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(OPEN, [context.getHandler(), context.getClass()])) return true;
    const token = bearerToken(context.switchToHttp().getRequest<Request>().headers.authorization);
    return requireToken(context, this.matcher, token, 'jit', {
      missing: 'this API needs Authorization: Bearer <JIT_API_TOKEN>',
      wrong: 'wrong API token',
    });
  }
}
