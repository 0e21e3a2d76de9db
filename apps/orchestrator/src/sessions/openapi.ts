import type { OpenAPIObject } from '@nestjs/swagger';
import { z } from 'zod';
import { sessionAnswerSchema } from '@jit/protocol';
import { sessionRequestSchema, streamOptionsSchema } from '@jit/sessions';

/** A schema's JSON Schema; `refs`: schemas inside it that are components of their own, by name. */
const json = (schema: z.ZodType, refs: Record<string, z.ZodType> = {}) =>
  z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      const inner: unknown = ctx.zodSchema;
      const name = Object.keys(refs).find((key) => refs[key] === inner);
      if (!name || inner === schema) return;
      for (const key of Object.keys(ctx.jsonSchema)) delete (ctx.jsonSchema as Record<string, unknown>)[key];
      ctx.jsonSchema.$ref = `#/components/schemas/${name}`;
    },
  }) as Record<string, unknown>;

const session = json(sessionAnswerSchema, { SessionRequest: sessionRequestSchema });
const error = { type: 'object', properties: { statusCode: { type: 'integer' }, message: { type: 'string' } } };
const reply = (description: string, schema: object = { $ref: '#/components/schemas/Session' }) => ({
  description,
  content: { 'application/json': { schema } },
});
const health = {
  type: 'object',
  description: '@nestjs/terminus result: status ok|error, and each check under info/error/details',
  properties: { status: { type: 'string' }, info: { type: 'object' }, error: { type: 'object' }, details: { type: 'object' } },
};
const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

/** The REST API as OpenAPI 3.1, its bodies generated from the zod schemas that validate (or type) them. */
export function openApiDocument(): OpenAPIObject {
  return {
    openapi: '3.1.0',
    info: { title: 'JIT orchestrator', version: '0.1.0', description: 'Start, inspect, restart and end JIT viewing sessions.' },
    // With JIT_API_TOKEN set, every path but /health* needs it; without, nothing does.
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'JIT_API_TOKEN (only when the orchestrator sets one)' } },
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
            400: reply('invalid body, naming the field; an input outside JIT_MEDIA_ROOTS or to a refused address, naming it', error),
            401: reply('JIT_API_TOKEN is set and the request has not got it', error),
            413: reply('body over 256 kB', error),
            415: reply('body not application/json', error),
            422: reply('the JIT refused the inputs or options', error),
            503: reply('capacity reached (Retry-After) or no instance could be had', error),
          },
        },
      },
      '/sessions': {
        get: {
          summary: 'Running sessions',
          responses: { 200: reply('the sessions', { type: 'array', items: { $ref: '#/components/schemas/Session' } }) },
        },
      },
      '/session/{id}': {
        get: {
          summary: 'A session',
          parameters: [idParameter],
          responses: { 200: reply('the session'), 404: reply('unknown session', error) },
        },
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
      '/health': {
        get: {
          summary: 'Temporal answers',
          security: [],
          responses: { 200: reply('healthy', health), 503: reply('Temporal does not answer', health) },
        },
      },
      '/health/live': {
        get: { summary: 'Liveness: the process serves (nothing else checked)', security: [], responses: { 200: reply('alive', health) } },
      },
      '/health/ready': {
        get: {
          summary: 'Readiness: Temporal answers and the instance provider could provision now',
          security: [],
          responses: { 200: reply('ready', health), 503: reply('not ready: what is down, and why', health) },
        },
      },
      '/media': {
        get: {
          summary: 'The media files under the folders of JIT_MEDIA_ROOTS, for the player page to offer (none without roots)',
          responses: {
            200: reply('the roots, the files (url: what a session takes, path: what a user reads), whether some were left out', {
              type: 'object',
              properties: {
                roots: { type: 'array', items: { type: 'string' } },
                files: { type: 'array', items: { type: 'object', properties: { url: { type: 'string' }, path: { type: 'string' } } } },
                truncated: { type: 'boolean' },
              },
            }),
            401: reply('JIT_API_TOKEN is set and the request has not got it', error),
          },
        },
      },
      '/metrics': {
        get: {
          summary:
            'Prometheus metrics (text format 0.0.4): sessions running, started, ended by reason, failed by step, restarts, JIT exits, start-up histograms',
          responses: {
            200: { description: 'the metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
            401: reply('JIT_API_TOKEN is set and the request has not got it', error),
          },
        },
      },
    },
  } as unknown as OpenAPIObject;
}
