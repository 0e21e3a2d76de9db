import { openApiDocument } from './openapi';

describe('OpenAPI document', () => {
  const schemas = openApiDocument().components?.schemas as Record<string, { properties: Record<string, Record<string, unknown>>; required?: string[] }>;

  it('describes the session answer from its schema, the request by reference', () => {
    const session = schemas.Session;
    expect(session.required).toEqual(expect.arrayContaining(['sessionId', 'state', 'jitUrl', 'request']));
    expect(session.properties.request).toEqual({ $ref: '#/components/schemas/SessionRequest' });
    expect(session.properties.state).toMatchObject({ enum: ['provisioning', 'starting', 'running', 'restarting', 'stopping', 'ended', 'failed'] });
    expect(session.properties.jitUrl).toMatchObject({ type: ['string', 'null'], description: 'WHEP URL of the stream while it runs' });
    expect(session.properties.sessionId).toMatchObject({ type: 'string', example: 'session-2026-11-25-0a1b2c3d4e' });
  });

  it('describes the session request', () => {
    expect(schemas.SessionRequest.required).toEqual(['inputs']);
    expect(schemas.SessionRequest.properties.width).toMatchObject({ type: 'integer', minimum: 16 });
  });
});
