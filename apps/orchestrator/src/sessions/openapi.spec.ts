import { openApiDocument } from './openapi';

describe('OpenAPI document', () => {
  const schemas = openApiDocument().components?.schemas as Record<
    string,
    { properties: Record<string, Record<string, unknown>>; required?: string[] }
  >;

  it('describes the session answer from its schema, the request by reference', () => {
    const session = schemas.Session;
    expect(session.required).toEqual(expect.arrayContaining(['sessionId', 'state', 'jitUrl', 'request']));
    expect(session.properties.request).toEqual({ $ref: '#/components/schemas/SessionRequest' });
    expect(session.properties.state).toMatchObject({
      enum: ['provisioning', 'starting', 'running', 'restarting', 'stopping', 'ended', 'failed'],
    });
    expect(session.properties.jitUrl).toMatchObject({ type: ['string', 'null'], description: 'WHEP URL of the stream while it runs' });
    expect(session.properties.sessionId).toMatchObject({ type: 'string', example: 'session-2026-11-25-0a1b2c3d4e' });
  });

  it('describes the session request', () => {
    expect(schemas.SessionRequest.required).toEqual(['inputs']);
    expect(schemas.SessionRequest.properties.width).toMatchObject({ type: 'integer', minimum: 16 });
  });

  it('describes the stream options from the JIT option table', () => {
    const options = schemas.StreamOptions.properties;
    expect(options.lowres).toEqual({
      type: 'integer',
      minimum: 0,
      maximum: 3,
      default: 0,
      description: 'lowres scaling factor (0-3: divide the picture size by 2^LOWRES)',
    });
    expect(options.threadType).toMatchObject({ type: 'string', enum: ['slice', 'frame'] });
    expect(options.technicalTimeout).toBeUndefined();
    expect(schemas.SessionRequest.properties.cho).toEqual(options.cho);
  });
});
