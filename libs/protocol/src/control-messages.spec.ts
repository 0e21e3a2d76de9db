import { parseControlMessage } from './control-messages';

describe('parseControlMessage', () => {
  it('takes a seek to a frame or to a timecode', () => {
    expect(parseControlMessage('{"type":"seek","frame":12}')).toEqual({ ok: true, message: { type: 'seek', frame: 12 } });
    expect(parseControlMessage('{"type":"seek","tc":"01:00:10:12"}')).toEqual({ ok: true, message: { type: 'seek', tc: '01:00:10:12' } });
  });

  it('refuses a seek with both, neither, or a timecode that is none', () => {
    expect(parseControlMessage('{"type":"seek","frame":1,"tc":"00:00:00:01"}')).toEqual({
      ok: false,
      reason: 'a seek takes exactly one of frame and tc',
    });
    expect(parseControlMessage('{"type":"seek"}')).toEqual({ ok: false, reason: 'a seek takes exactly one of frame and tc' });
    expect(parseControlMessage('{"type":"seek","tc":"soon"}')).toEqual({ ok: false, reason: 'tc: must be a timecode HH:MM:SS:FF' });
    expect(parseControlMessage('{"type":"seek","tc":12}')).toMatchObject({ ok: false, reason: expect.stringMatching(/^tc: /) });
  });
});
