import { sessionRequestSchema, streamOptionsSchema } from './session-request';

describe('session request', () => {
  it('takes the inputs and the stream options of the JIT option table, with its bounds', () => {
    const request = {
      inputs: [{ url: 'v.mov', id: 'pic' }],
      width: 640,
      colorspace: 'bt601',
      bt2100ToneMapping: true,
      threadType: 'frame',
    };
    expect(sessionRequestSchema.parse(request)).toEqual(request);
    expect(sessionRequestSchema.safeParse({ inputs: [{ url: 'v.mov' }], width: 8 }).error?.issues[0]).toMatchObject({
      path: ['width'],
      code: 'too_small',
    });
    expect(sessionRequestSchema.safeParse({ inputs: [{ url: 'v.mov' }], region: 'mars' }).error?.issues[0].message).toBe(
      'must be an AWS region such as eu-north-1',
    );
  });

  it('leaves what only the orchestrator sets out of it', () => {
    for (const key of ['technicalTimeout', 'host', 'port', 'verbose', 'publicIp', 'viewerToken']) {
      expect(streamOptionsSchema.safeParse({ [key]: 1 }).error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: [key] });
    }
  });

  it('checks combinations only when the stream starts (a restart is merged into the session)', () => {
    expect(streamOptionsSchema.parse({ sampleAspectNum: 4 })).toEqual({ sampleAspectNum: 4 });
  });
});
