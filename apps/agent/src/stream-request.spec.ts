import { parseJitConfig } from '@jit/config';
import { StreamRequestError } from '@jit/errors';
import { jitArgs, parseStreamRequest } from './stream-request';

describe('stream request', () => {
  it('maps every option to its JIT flag, and the JIT reads back the same values', () => {
    const options = {
      lowres: 1,
      width: 640,
      height: 360,
      frameRateNum: 30000,
      frameRateDen: 1001,
      sampleAspectNum: 16,
      sampleAspectDen: 15,
      colorspace: 'bt601' as const,
      bt2100ToneMapping: true,
      duration: 250,
      bitrate: 50_000_000,
      region: 'eu-north-1',
      channels: 8,
      cho: 2,
      threads: 2,
      threadType: 'frame' as const,
      technicalTimeout: 600,
    };
    const inputs = [
      { url: 'v.mov', id: 'pic' },
      { url: 'https://example.com/a.wav', channelCount: 8, id: 'mix' },
    ];
    const { request, args } = parseStreamRequest({ id: 'session_1-A', inputs, options });
    expect(request).toEqual({ id: 'session_1-A', inputs, options });
    expect(args.slice(0, 7)).toEqual(['-i', 'v.mov', 'id=pic', 'https://example.com/a.wav', 'channel_count=8', 'id=mix', '--lowres']);
    expect(parseJitConfig(args, {})).toMatchObject({ ...options, inputs });
  });

  it('leaves out a false flag and absent options', () => {
    expect(jitArgs({ inputs: [{ url: 'v.mov' }], options: { bt2100ToneMapping: false } })).toEqual(['-i', 'v.mov']);
  });

  it('names the field at fault', () => {
    const bad = (body: unknown) => {
      try {
        parseStreamRequest(body);
      } catch (error) {
        expect(error).toBeInstanceOf(StreamRequestError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad(undefined)).toMatch(/^id: /);
    expect(bad({ id: 'x'.repeat(65), inputs: [{ url: 'v.mov' }] })).toMatch(/^id: must be 1-64 characters/);
    expect(bad({ id: 'a', inputs: [{ url: 'id=3' }] })).toMatch(/^inputs\[0\]\.url: must not start with channel_count= or id=/);
    expect(bad({ id: 'a', inputs: [{ url: 'ftp://x/v.mov' }] })).toMatch(/^inputs\[0\]\.url: only local paths/);
    expect(bad({ id: 'a', inputs: [{ url: 'v.mov', channel_count: 2 }] })).toMatch(/^inputs\[0\]: Unrecognized key: "channel_count"/);
    expect(bad({ id: 'a', inputs: [{ url: 'v.mov' }], options: { width: 8 } })).toMatch(/^options\.width \(--width\): Too small/);
    expect(bad({ id: 'a', inputs: [{ url: 'v.mov' }], options: { region: 'mars' } })).toMatch(
      /^options\.region \(--region\): must be an AWS region/,
    );
    expect(bad({ id: 'a', inputs: [{ url: 'v.mov' }], options: { sampleAspectNum: 4 } })).toMatch(
      /^options\.sampleAspectDen \(--sample-aspect-den\): give both/,
    );
    expect(bad({ id: 'a', inputs: [{ url: 'v.mov' }], options: { technicalTimeout: -1 } })).toMatch(
      /^options\.technicalTimeout \(--technical-timeout\)/,
    );
    expect(bad({ id: 'a', inputs: [{ url: 'v.mov' }], options: { frameRateDen: 2 } })).toMatch(
      /^options\.frameRateNum \(--frame-rate-num\): is required when --frame-rate-den is given/,
    );
    expect(bad({ id: 'a', inputs: [{ url: 'v.mov' }], options: { channels: 2, cho: 2 } })).toMatch(
      /^options\.cho \(--cho\): must be below --channels \(2\)/,
    );
    expect(bad({ id: 'a', inputs: [{ url: 'v.mov' }], options: { threadType: 'fiber' } })).toMatch(/^options\.threadType: Invalid option/);
    expect(bad({ id: 'a', inputs: [{ url: 'v.mov' }], options: { width: 1.5 } })).toMatch(/^options\.width: Invalid input: expected int/);
    expect(bad({ id: 'a', inputs: [{ url: 'v.mov' }], options: { host: '0.0.0.0' } })).toMatch(/^options: Unrecognized key: "host"/);
  });

  it('refuses exactly what the JIT refuses', () => {
    const cases: Record<string, unknown>[] = [
      { lowres: 4 },
      { width: 8192 },
      { width: 8193 },
      { cho: 255 },
      { cho: 256 },
      { technicalTimeout: 0.5 },
    ];
    cases.push(
      { technicalTimeout: 0 },
      { sampleAspectDen: 3 },
      { frameRateNum: 25, frameRateDen: 1 },
      { channels: 4, cho: 3 },
      { region: 'eu-north-1' },
    );
    for (const options of cases) {
      const agent = () => parseStreamRequest({ id: 'a', inputs: [{ url: 'v.mov' }], options });
      const jit = () => parseJitConfig(jitArgs({ inputs: [{ url: 'v.mov' }], options: options as never }), {});
      let jitError: unknown;
      try {
        jit();
      } catch (error) {
        jitError = error;
      }
      if (jitError) expect(agent).toThrow(StreamRequestError);
      else expect(agent).not.toThrow();
    }
  });
});
