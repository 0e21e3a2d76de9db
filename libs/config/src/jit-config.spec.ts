import { ConfigError } from './config-error';
import { parseJitConfig } from './jit-config';
import { DEFAULT_TECHNICAL_TIMEOUT_S } from './jit-options';
import { parseInputTokens } from './jit-inputs';

const parse = (args: string[], env: NodeJS.ProcessEnv = {}) => parseJitConfig(args, env, { writeErr: () => undefined });

describe('JIT input grammar', () => {
  it('attaches channel_count and id to the URL before them', () => {
    expect(parseInputTokens(['v.mov', 'a.wav', 'channel_count=8', 'id=main', 'b.wav', 'id=m&e'])).toEqual([
      { url: 'v.mov' },
      { url: 'a.wav', channelCount: 8, id: 'main' },
      { url: 'b.wav', id: 'm&e' },
    ]);
  });

  it('refuses a qualifier with no URL before it, and a bad channel count', () => {
    expect(() => parseInputTokens(['id=x', 'v.mov'])).toThrow(/must follow a URL/);
    expect(() => parseInputTokens(['v.mov', 'a.wav', 'channel_count=-2'])).toThrow(/a.wav: channel_count must be a positive integer/);
  });
});

describe('JIT command line', () => {
  it('has the spec defaults', () => {
    const c = parse(['-i', 'v.mov']);
    expect(c).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      verbose: false,
      lowres: 0,
      cho: 0,
      threads: 0,
      bt2100ToneMapping: false,
      technicalTimeout: DEFAULT_TECHNICAL_TIMEOUT_S,
      portMin: 49152,
      portMax: 65535,
      deprecatedPositional: false,
    });
    expect(c.threadType).toBeUndefined(); // chosen per codec by the video reader
    expect(c.inputs).toEqual([{ url: 'v.mov' }]);
  });

  it('takes every flag of the spec', () => {
    const c = parse(
      [
        ...['-i', 'v.mov', 'id=pic', 'a.wav', 'channel_count=16', 'id=mix'],
        ...['--lowres', '1', '--sample-aspect-num', '16', '--sample-aspect-den', '15', '--colorspace', 'bt601'],
        ...['--host', '127.0.0.1', '--port', '9000', '-v', '--channels', '16', '--cho', '2', '--threads', '2'],
        ...['--thread-type', 'frame', '--bt2100-tone-mapping', '--width', '640', '--height', '360'],
        ...['--frame-rate-num', '30000', '--frame-rate-den', '1001', '--region', 'eu-north-1', '--bitrate', '50000000'],
        ...['--technical-timeout', '600', '--duration', '250'],
      ],
      { PUBLIC_IP: '203.0.113.7', JIT_CONTAINER_PORT_MIN: '50000', JIT_CONTAINER_PORT_MAX: '50100' },
    );
    expect(c).toMatchObject({
      inputs: [
        { url: 'v.mov', id: 'pic' },
        { url: 'a.wav', channelCount: 16, id: 'mix' },
      ],
      lowres: 1,
      sampleAspectNum: 16,
      sampleAspectDen: 15,
      colorspace: 'bt601',
      host: '127.0.0.1',
      port: 9000,
      verbose: true,
      channels: 16,
      cho: 2,
      threads: 2,
      threadType: 'frame',
      bt2100ToneMapping: true,
      width: 640,
      height: 360,
      frameRateNum: 30000,
      frameRateDen: 1001,
      region: 'eu-north-1',
      bitrate: 50000000,
      technicalTimeout: 600,
      duration: 250,
      publicIp: '203.0.113.7',
      portMin: 50000,
      portMax: 50100,
    });
  });

  it('accepts repeated -i and the deprecated positional URLs', () => {
    expect(parse(['-i', 'v.mov', '-i', 'a.wav', 'channel_count=2']).inputs).toEqual([{ url: 'v.mov' }, { url: 'a.wav', channelCount: 2 }]);
    const positional = parse(['v.mov', 'a.wav']);
    expect(positional.inputs.map((i) => i.url)).toEqual(['v.mov', 'a.wav']);
    expect(positional.deprecatedPositional).toBe(true);
  });

  it.each([
    [['-i', 'v.mov', '--width', '-5'], /--width/],
    [['-i', 'v.mov', '--width', 'wide'], /--width/],
    [['-i', 'v.mov', '--port', '70000'], /--port/],
    [['-i', 'v.mov', '--lowres', '9'], /--lowres/],
    [['-i', 'v.mov', '--duration', '0'], /--duration/],
    [['-i', 'v.mov', '--sample-aspect-num', '4'], /--sample-aspect-den/],
    [['-i', 'v.mov', '--frame-rate-den', '1001'], /--frame-rate-num/],
    [['-i', 'v.mov', '--channels', '2', '--cho', '2'], /--cho/],
    [['-i', 'v.mov', '--region', 'mars'], /--region/],
    [['-i', 'ftp://host/v.mov'], /--input\[0\.url\]/],
    [[], /--input/],
  ])('refuses %j naming the flag', (args, flag) => {
    expect(() => parse(args)).toThrow(ConfigError);
    expect(() => parse(args)).toThrow(flag);
  });

  it('names the environment variable at fault', () => {
    expect(() => parse(['-i', 'v.mov'], { PUBLIC_IP: 'not a host!' })).toThrow(/PUBLIC_IP/);
    expect(() => parse(['-i', 'v.mov'], { JIT_CONTAINER_PORT_MIN: '60000', JIT_CONTAINER_PORT_MAX: '50000' })).toThrow(
      /JIT_CONTAINER_PORT_MAX/,
    );
  });

  it('refuses an unknown thread type and colorspace through commander', () => {
    expect(() => parse(['-i', 'v.mov', '--thread-type', 'fiber'])).toThrow(/thread-type/);
    expect(() => parse(['-i', 'v.mov', '--colorspace', 'rainbow'])).toThrow(/colorspace/);
  });

  it('takes a host name or an IP address as the public address: --public-ip, else PUBLIC_IP', () => {
    for (const host of ['localhost', 'jit.example.com', '203.0.113.7', '2001:db8::7']) {
      expect(parse(['-i', 'v.mov'], { PUBLIC_IP: host }).publicIp).toBe(host);
      expect(parse(['-i', 'v.mov', '--public-ip', host]).publicIp).toBe(host);
    }
    expect(parse(['-i', 'v.mov', '--public-ip', 'localhost'], { PUBLIC_IP: '203.0.113.7' }).publicIp).toBe('localhost');
    expect(parse(['-i', 'v.mov']).publicIp).toBeUndefined();
    for (const garbage of ['not a host!', '999.1.1.1', 'http://jit.example.com']) {
      expect(() => parse(['-i', 'v.mov'], { PUBLIC_IP: garbage })).toThrow(
        /--public-ip \(PUBLIC_IP\): must be a host name .* or an IP address/,
      );
      expect(() => parse(['-i', 'v.mov', '--public-ip', garbage])).toThrow(ConfigError);
    }
  });
});
