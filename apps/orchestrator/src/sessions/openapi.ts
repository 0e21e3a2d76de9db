import type { OpenAPIObject } from '@nestjs/swagger';
import { z } from 'zod';
import { sessionRequestSchema, streamOptionsSchema } from '../../../../libs/sessions/src';

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;

const session = {
  type: 'object',
  properties: {
    sessionId: { type: 'string', example: 'session-2026-11-25-0a1b2c3d4e' },
    state: { type: 'string', enum: ['provisioning', 'starting', 'running', 'restarting', 'stopping', 'ended', 'failed'] },
    jitUrl: { type: ['string', 'null'], description: 'WHEP URL of the stream while it runs' },
    iceServers: { type: 'array', items: { type: 'object' } },
    instance: { type: ['object', 'null'], properties: { id: { type: 'string' }, provider: { type: 'string' } } },
    restarts: { type: 'integer' },
    timings: { type: 'object' },
    lastError: { type: ['string', 'null'] },
    failedStep: { type: ['string', 'null'], enum: ['instance', 'stream', 'watch', 'restart', null] },
    endReason: { type: ['string', 'null'], enum: ['killed', 'idle', 'max-uptime', 'stream-exited', 'failed', 'cancelled', null] },
    request: { $ref: '#/components/schemas/SessionRequest' },
  },
};
const error = { type: 'object', properties: { statusCode: { type: 'integer' }, message: { type: 'string' } } };
const reply = (description: string, schema: object = { $ref: '#/components/schemas/Session' }) => ({
  description,
  content: { 'application/json': { schema } },
});
const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

/** The REST API as OpenAPI 3.1, its request bodies generated from the same zod schemas that validate them. */
export function openApiDocument(): OpenAPIObject {
  return {
    openapi: '3.1.0',
    info: { title: 'JIT orchestrator', version: '0.1.0', description: 'Start, inspect, restart and end JIT viewing sessions.' },
    components: {
      schemas: { SessionRequest: json(sessionRequestSchema), StreamOptions: json(streamOptionsSchema), Session: session, Error: error },
    },
    paths: {
      '/session': {
        post: {
          summary: 'Start a session',
          parameters: [{ name: 'wait', in: 'query', required: false, schema: { type: 'string', enum: ['true', 'false'] } }],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/SessionRequest' } } } },
          responses: {
            201: reply('the stream runs'),
            202: reply('started (?wait=false)'),
            400: reply('invalid body, naming the field', error),
            422: reply('the JIT refused the inputs or options', error),
            503: reply('capacity reached (Retry-After) or no instance could be had', error),
          },
        },
      },
      '/sessions': { get: { summary: 'Running sessions', responses: { 200: reply('the sessions', { type: 'array', items: session }) } } },
      '/session/{id}': {
        get: { summary: 'A session', parameters: [idParameter], responses: { 200: reply('the session'), 404: reply('unknown session', error) } },
        delete: {
          summary: 'End a session',
          parameters: [idParameter],
          responses: { 200: reply('stream stopped, instance released'), 404: reply('unknown session', error) },
        },
      },
      '/session/{id}/restart': {
        post: {
          summary: 'Restart the stream, with new options',
          parameters: [idParameter],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/StreamOptions' } } } },
          responses: { 201: reply('running again'), 404: reply('unknown session', error), 409: reply('the session has ended', error) },
        },
      },
      '/health': { get: { summary: 'Temporal answers', responses: { 200: reply('healthy', { type: 'object' }), 503: reply('Temporal does not answer', error) } } },
    },
  } as unknown as OpenAPIObject;
}
