import type { NextFunction, Request, Response } from 'express';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The REST API takes JSON only: a request that sends a body of another type gets 415 (rather
 * than being read as an empty body and refused for a missing field).
 */
export function jsonBodiesOnly(req: Request, res: Response, next: NextFunction): void {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (!WITH_BODY.has(req.method) || !hasBody || req.is('application/json')) return next();
  res.status(415).json({
    statusCode: 415,
    error: 'Unsupported Media Type',
    message: `send the body as application/json (got ${req.headers['content-type'] ?? 'no content type'})`,
  });
}
