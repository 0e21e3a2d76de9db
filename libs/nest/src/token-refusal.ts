import { type ExecutionContext, UnauthorizedException } from '@nestjs/common';
import type { Response } from 'express';
import type { SecretMatcher } from '@jit/security';

/**
 * What every token guard does with the token a request presents: lets it through when it
 * matches, else answers 401 with a Bearer challenge for `realm`, saying whether the token was
 * missing or wrong.
 */
export function requireToken(
  context: ExecutionContext,
  matcher: SecretMatcher,
  token: string | undefined,
  realm: string,
  refusal: { missing: string; wrong: string },
): true {
  if (matcher.matches(token)) return true;
  context.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', `Bearer realm="${realm}"`);
  throw new UnauthorizedException(token ? refusal.wrong : refusal.missing);
}
