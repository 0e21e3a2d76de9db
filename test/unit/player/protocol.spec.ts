import { controlMessageSchema } from '@jit/protocol';
import { NO_PLAYBACK, commandFor, type TransportAction } from '../../../web/player/src/playback-state';
import { encodeCommand, readServerMessage } from '../../../web/player/src/protocol';

const state = {
  type: 'state',
  state: 'paused',
  frame: 12,
  tc: '00:00:00:12',
  frameCount: 300,
  frameRate: { num: 25, den: 1 },
  audioOffset: 0,
  audioChannels: 5,
  in: { frame: 2, tc: '00:00:00:02' },
  out: null,
  loop: false,
};
const bytes = (text: string) => Uint8Array.from(Array.from(text, (c) => c.charCodeAt(0))).buffer;

describe('readServerMessage', () => {
  it('takes the messages the JIT sends, as text or bytes', () => {
    expect(readServerMessage(JSON.stringify(state))).toEqual({ message: state });
    expect(readServerMessage(bytes('{"type":"seeked","frame":42,"tc":"00:00:01:17"}'))).toEqual({
      message: { type: 'seeked', frame: 42, tc: '00:00:01:17' },
    });
    expect(readServerMessage('{"type":"frame","frame":0,"tc":"01:00:00;00"}')).toEqual({
      message: { type: 'frame', frame: 0, tc: '01:00:00;00' },
    });
    expect(readServerMessage('{"type":"error","message":"frame 300 is out of range"}')).toEqual({
      message: { type: 'error', message: 'frame 300 is out of range' },
    });
    expect(readServerMessage(JSON.stringify({ ...state, audioOffset: null, audioChannels: 0 }))).toEqual({
      message: { ...state, audioOffset: null, audioChannels: 0 },
    });
  });

  it('ignores a type it does not know (a newer JIT)', () => {
    expect(readServerMessage('{"type":"thumbnail","frame":3}')).toEqual({ ignored: 'thumbnail' });
  });

  it.each([
    ['not json', /^not JSON/],
    ['[]', /^no message type/],
    ['{"frame":1}', /^no message type/],
    ['{"type":"seeked","frame":"9"}', /malformed "seeked"/],
    ['{"type":"frame","frame":-1,"tc":"00:00:00:00"}', /malformed "frame"/],
    ['{"type":"frame","frame":1}', /malformed "frame"/],
    ['{"type":"error"}', /malformed "error"/],
    [JSON.stringify({ ...state, state: 'rewinding' }), /malformed "state"/],
    [JSON.stringify({ ...state, frameRate: { num: 25, den: 0 } }), /malformed "state"/],
    [JSON.stringify({ ...state, audioChannels: undefined }), /malformed "state"/],
    [JSON.stringify({ ...state, in: 2 }), /malformed "state"/],
    [JSON.stringify({ ...state, loop: undefined }), /malformed "state"/],
  ])('finds %s invalid', (text, reason) => {
    const received = readServerMessage(text);
    expect('invalid' in received && received.invalid).toMatch(reason);
  });

  it('finds data that is not text invalid', () => {
    expect(readServerMessage(42)).toEqual({ invalid: 'not text' });
  });
});

describe('the commands the player sends', () => {
  const view = { ...NO_PLAYBACK, state: 'playing' as const, frame: 10, frameCount: 300, rate: { num: 25, den: 1 } };
  const actions: TransportAction[] = [
    { action: 'toggle' },
    { action: 'play' },
    { action: 'pause' },
    { action: 'step', frames: -10 },
    { action: 'first' },
    { action: 'last' },
    { action: 'seek', frame: 120 },
    { action: 'seek-timecode', tc: '01:00:10;12' },
    { action: 'audio', offset: 3 },
    { action: 'mark', point: 'in' },
    { action: 'mark', point: 'out' },
    { action: 'clear-mark', point: 'out' },
    { action: 'clear-mark' },
    { action: 'toggle-loop' },
  ];

  it.each(actions)('pass the schema the JIT validates with: %j', (action) => {
    const sent = JSON.parse(encodeCommand(commandFor(action, view)));
    expect(controlMessageSchema.safeParse(sent).success).toBe(true);
  });
});
