/**
 * What can go wrong for a caller of the orchestrator or an agent, as errors of the domain: the
 * services throw these, and one filter per HTTP app (DomainErrorFilter) turns them into answers.
 * Services stay free of HTTP, so they can be used and tested without a web framework.
 */
export type DomainErrorKind = 'bad-input' | 'not-found' | 'conflict' | 'refused' | 'upstream-failed' | 'unavailable' | 'upstream-timeout';

/** The HTTP status each kind is answered with, and its reason phrase (the `error` of the body, as Nest writes it). */
export const HTTP_STATUS: Record<DomainErrorKind, number> = {
  'bad-input': 400,
  'not-found': 404,
  conflict: 409,
  refused: 422,
  'upstream-failed': 502,
  unavailable: 503,
  'upstream-timeout': 504,
};
export const HTTP_REASON: Record<DomainErrorKind, string> = {
  'bad-input': 'Bad Request',
  'not-found': 'Not Found',
  conflict: 'Conflict',
  refused: 'Unprocessable Entity',
  'upstream-failed': 'Bad Gateway',
  unavailable: 'Service Unavailable',
  'upstream-timeout': 'Gateway Timeout',
};

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  /** Seconds after which trying again may succeed (answered as Retry-After). */
  readonly retryAfterS?: number;
  /** More fields for the answer's body beside statusCode and message. */
  readonly details?: Record<string, unknown>;

  constructor(message: string, extra: { retryAfterS?: number; details?: Record<string, unknown> } = {}) {
    super(message);
    this.name = new.target.name;
    this.retryAfterS = extra.retryAfterS;
    this.details = extra.details;
  }
}

/** A request body or parameter that is not what the API takes. */
export class BadInputError extends DomainError {
  readonly kind = 'bad-input';
}

export class UnknownSessionError extends DomainError {
  readonly kind = 'not-found';
  constructor(sessionId: string) {
    super(`no session ${sessionId}`);
  }
}

/** The session cannot do that in the state it is in (e.g. a restart after it ended). */
export class SessionConflictError extends DomainError {
  readonly kind = 'conflict';
}

/** JIT_CAPACITY sessions run already, or admission cannot be decided now. */
export class CapacityError extends DomainError {
  readonly kind = 'unavailable';
}

/** A session that failed to start: refused when its JIT refused the inputs or options, else unavailable. */
export class SessionFailedError extends DomainError {
  readonly kind: DomainErrorKind;
  constructor(message: string, refusedByJit: boolean, session: unknown) {
    super(message, { details: { session } });
    this.kind = refusedByJit ? 'refused' : 'unavailable';
  }
}

// The agent's API.

/** A stream request that is not valid; the message names the field at fault. */
export class StreamRequestError extends BadInputError {}

/** The id names a stream that is starting or running. */
export class StreamConflictError extends DomainError {
  readonly kind = 'conflict';
}

export class UnknownStreamError extends DomainError {
  readonly kind = 'not-found';
}

/** Every block of the agent's port range is in use, or its first port is taken by another program. */
export class NoFreePortError extends DomainError {
  readonly kind = 'unavailable';
}

/** The JIT ended before it answered /health: its exit code and the end of its stderr. */
export class JitStartError extends DomainError {
  readonly kind = 'upstream-failed';
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(message, { details: { exitCode, stderr } });
  }
}

/** The JIT did not answer /health within JIT_STREAM_START_TIMEOUT (it has been stopped). */
export class JitStartTimeoutError extends DomainError {
  readonly kind = 'upstream-timeout';
}
